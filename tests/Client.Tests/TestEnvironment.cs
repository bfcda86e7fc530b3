using System.Runtime.CompilerServices;

namespace Thresher.Client.Tests;

static class TestEnvironment
{
    /// <summary>
    /// Silo processes the tests start inherit this environment: they serve datasets from the temp folder,
    /// where the tests write theirs (silos refuse directories outside their data roots).
    /// </summary>
    [ModuleInitializer]
    internal static void ServeTempDatasets()
        => Environment.SetEnvironmentVariable("THRESHER__DATAROOTS", Path.GetTempPath());
}
