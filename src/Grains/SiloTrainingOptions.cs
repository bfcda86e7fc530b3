namespace Thresher.Grains;

/// <summary>
/// Per-silo settings of the training grains, bound from the "Thresher" configuration section
/// (appsettings, THRESHER__… environment variables, command line).
/// </summary>
public sealed class SiloTrainingOptions
{
    public const string Section = "Thresher";

    /// <summary>
    /// Where named datasets (mnist) are cached and fetched to. Null: the user cache folder
    /// (THRESHER_DATA_DIR or ~/.cache/thresher).
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// Further folders (PATH-style list) that runs may name with <c>--data DIR</c>. Besides these, only the
    /// cache folder (<see cref="DataDirectory"/>) and Debian's /usr/share/datasets are served; a submission
    /// naming any other directory is refused, so a remote client cannot make a silo read elsewhere.
    /// </summary>
    public string? DataRoots { get; set; }

    /// <summary>
    /// Serve any directory (no confinement). Only for a silo inside the submitting user's own process
    /// (`thresher train`), where the user could read those files anyway.
    /// </summary>
    public bool AnyDataDirectory { get; set; }

    /// <summary>
    /// Kernel threads each worker grain may use, ≥ 0. 0 (default) divides the silo's cores by the run's
    /// worker count, never below 1, so workers sharing a silo do not oversubscribe it.
    /// </summary>
    public int WorkerThreads { get; set; }

    /// <summary>
    /// Where worker grains compute gradients: cpu (SIMD, default), cuda (an NVIDIA GPU) or auto (cuda when usable,
    /// else cpu). The host turns it into the GradientBackendFactory service the workers use (none registered: cpu).
    /// </summary>
    public string Backend { get; set; } = "cpu";

    /// <summary>How a GPU backend multiplies: fp32 (default) or tf32 (cuBLAS tensor cores; refused where cuBLAS is missing).</summary>
    public string GpuMath { get; set; } = "fp32";

    /// <summary>
    /// Period of the reminder each running run keeps, in seconds; 0 = none. When the silo holding a run grain dies,
    /// the reminder re-activates it on a survivor within about one period (after failure detection), which resumes
    /// the run from its checkpoint with no client watching. Default 60 (Orleans' minimum reminder period; a
    /// shorter one lowers that minimum on the silo). Needs a reminder service (the silo host registers one).
    /// </summary>
    public int RunReminderSeconds { get; set; } = DefaultRunReminderSeconds;

    /// <summary>The default of <see cref="RunReminderSeconds"/>, for the hosts that read it from their configuration.</summary>
    public const int DefaultRunReminderSeconds = 60;

    /// <summary>
    /// How long a run may fail to write to checkpoint storage before it fails, in seconds (default 600). Until then it
    /// stalls — no steps — and retries with backoff (250 ms doubling to 5 s), its status saying since when.
    /// </summary>
    public int StorageOutageLimitSeconds { get; set; } = 600;

    /// <summary>Kernel threads of the parameter server's evaluation passes, ≥ 1. Default 1.</summary>
    public int EvaluationThreads { get; set; } = 1;
}
