using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Thresher.Abstractions;

public static class SerializationSetup
{
    /// <summary>
    /// Lets Orleans carry Thresher's own exceptions (bad input, aborted runs) between silos and clients with
    /// their type and message. Call on every silo and client.
    /// </summary>
    public static IServiceCollection AddThresherSerialization(this IServiceCollection services)
        => services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Thresher"));
}
