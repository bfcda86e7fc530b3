namespace Thresher.Client.Tests;

/// <summary>
/// `--backend` on `thresher train` and `thresher-silo`: cuda without a usable GPU (this machine, CI) is a clear
/// error with exit code 2 — what was looked for and what to do — and an unknown name is rejected. On a machine
/// with a GPU the no-GPU cases are reported as skipped (<see cref="NoCudaFactAttribute"/>).
/// </summary>
public sealed class BackendTests
{
    [NoCudaFact]
    public async Task Train_with_cuda_and_no_gpu_fails_clearly_with_exit_code_2()
    {
        var (code, _, stderr) = await CliRunner.RunExecutable("train", "--backend", "cuda", "--steps", "1");
        Assert.Equal(2, code);
        Assert.Contains("no usable CUDA GPU", stderr, StringComparison.Ordinal);
        Assert.Contains("libcuda.so.1", stderr, StringComparison.Ordinal);
        Assert.Contains("--backend cpu", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task Train_rejects_an_unknown_backend()
    {
        var (code, _, stderr) = await CliRunner.RunExecutable("train", "--backend", "tpu", "--steps", "1");
        Assert.Equal(2, code);
        Assert.Contains("backend 'tpu'", stderr, StringComparison.Ordinal);
        Assert.Contains("cpu, cuda or auto", stderr, StringComparison.Ordinal);
    }

    [NoCudaFact]
    public async Task Silo_with_cuda_and_no_gpu_exits_with_code_2()
    {
        var (code, _, stderr) = await CliRunner.RunSiloToExit(["--backend", "cuda"], null, TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("no usable CUDA GPU", stderr, StringComparison.Ordinal);
    }
}
