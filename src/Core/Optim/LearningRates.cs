using System.Globalization;

namespace Thresher.Core.Optim;

/// <summary>Learning rates as the user wrote them.</summary>
public static class LearningRates
{
    /// <summary>
    /// The float's shortest round-trip decimal as a double: 1e-3f → 0.001, not 0.0010000000474974513. Rates are stored
    /// as float (the wire format) but scheduled in double, as PyTorch schedules Python floats.
    /// </summary>
    public static double Exact(float value)
        => double.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
}
