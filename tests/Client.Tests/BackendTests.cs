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

    [Fact]
    public Task Train_refuses_tf32_on_the_cpu_backend() =>
        AssertTf32Refused("cpu", "gpu-math 'tf32': needs a GPU with cuBLAS, but the backend is cpu");

    [NoCudaFact]
    public Task Train_refuses_tf32_when_auto_finds_no_gpu() =>
        AssertTf32Refused("auto", "gpu-math 'tf32': needs a GPU with cuBLAS, and backend auto found no usable CUDA GPU");

    static async Task AssertTf32Refused(string backend, string message)
    {
        var (code, _, stderr) = await CliRunner.RunExecutable("train", "--backend", backend, "--gpu-math", "tf32", "--steps", "1");
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n')); // one line, no stack trace
    }

    [Fact]
    public async Task Train_rejects_an_unknown_gpu_math()
    {
        var (code, _, stderr) = await CliRunner.RunExecutable("train", "--gpu-math", "fp16", "--steps", "1");
        Assert.Equal(2, code);
        Assert.Contains("gpu-math 'fp16': unknown; expected fp32 or tf32", stderr, StringComparison.Ordinal);
    }

    [NoCudaFact]
    public async Task Silo_with_cuda_and_no_gpu_exits_with_code_2()
    {
        var (code, _, stderr) = await CliRunner.RunSiloToExit(["--backend", "cuda"], null, TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("no usable CUDA GPU", stderr, StringComparison.Ordinal);
    }
}
