using System.Text.Json;
using Thresher.Core.Model;
using Thresher.Core.ModelFiles;

namespace Thresher.Client.Tests;

/// <summary>
/// `thresher train --backend cuda` end to end without a GPU: THRESHER_CUDA_SIMULATOR=ilgpu-cpu makes ILGPU's CPU
/// accelerator the process's CUDA device (no cuBLAS), so the run goes through the embedded cluster on the GPU path — with
/// one worker the parameter server's device-resident loop (every step on the device), with more the worker grains on
/// the GPU backend — the ILGPU kernels, the tiled GEMM fallback — and reports as a CPU run does.
/// </summary>
public sealed class SimulatedGpuTrainTests : IClassFixture<SyntheticData>, IDisposable
{
    readonly SyntheticData _data;
    readonly string _work = Directory.CreateTempSubdirectory("thresher-simgpu-").FullName;

    public SimulatedGpuTrainTests(SyntheticData data) => _data = data;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_fast_preset_on_the_cuda_path_follows_the_cpu_and_reports_time_to_98()
    {
        string[] run = ["train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--preset", "fast",
            "--lr", "0.02", "--steps", "40", "--batch", "32", "--workers", "1", "--eval-every", "10", "--no-dashboard"];
        var (code, stdout, stderr) = await Simulated([.. run, "--backend", "cuda", "--run-id", "gpu"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("backend: ilgpu-cpu", stdout, StringComparison.Ordinal);
        Assert.Contains("GEMMs: ilgpu tiled fp32 (no cuBLAS", stdout, StringComparison.Ordinal);
        Assert.Contains("device loop: on", stdout, StringComparison.Ordinal);
        Assert.Contains("test evaluations on the device every 10 steps", stdout, StringComparison.Ordinal); // --eval-every given: kept
        Assert.Contains("time to 97 % / 98 %: ", stdout, StringComparison.Ordinal);
        (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120), [.. run, "--run-id", "cpu"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        using var gpu = Summary("gpu");
        using var cpu = Summary("cpu");
        Assert.Equal("completed", gpu.RootElement.GetProperty("state").GetString());
        double accuracy = cpu.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.Equal(accuracy, gpu.RootElement.GetProperty("test_accuracy").GetDouble(), 3);
        Assert.Equal(cpu.RootElement.GetProperty("final_loss").GetDouble(), gpu.RootElement.GetProperty("final_loss").GetDouble(), 4);
        Assert.True(accuracy >= 0.98, $"the recipe reaches {accuracy:P1} on the synthetic set; it should pass 98 %");
        var at98 = gpu.RootElement.GetProperty("time_to_98"); // the same record a CPU run writes: the step and its wall time
        Assert.Equal(cpu.RootElement.GetProperty("time_to_98").GetProperty("step").GetInt64(), at98.GetProperty("step").GetInt64());
        Assert.True(at98.GetProperty("wall_seconds").GetDouble() > 0);
    }

    [Fact]
    public async Task One_worker_trains_on_the_device_and_ends_within_1e_5_of_the_cpu_runs_theta()
    {
        string[] run = ["train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--init", "he", "--optimizer", "adamw", "--lr", "0.01",
            "--lr-schedule", "onecycle", "--steps", "15", "--batch", "32", "--workers", "1", "--no-dashboard"];
        var (code, stdout, stderr) = await Simulated([.. run, "--backend", "cuda", "--save", "gpu.safetensors"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("device loop: on (every step on the GPU", stdout, StringComparison.Ordinal);
        Assert.Contains("test evaluations on the device every 188 steps", stdout, StringComparison.Ordinal); // ⌈6000 / 32⌉, --eval-every unset
        (code, stdout, stderr) = await CliRunner.RunExecutableIn(_work, TimeSpan.FromSeconds(120), [.. run, "--save", "cpu.safetensors"]);
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");

        // --save writes the parameter server's θ: on the device path its mirror of the device's θ, read back at the end.
        var layers = MlpConfig.Parse(SyntheticData.Layers);
        var cpu = ModelFile.Load(Path.Combine(_work, "cpu.safetensors"), layers);
        var gpu = ModelFile.Load(Path.Combine(_work, "gpu.safetensors"), layers);
        double scale = cpu.Max(v => Math.Abs(v));
        for (int i = 0; i < cpu.Length; i++)
            Assert.True(Math.Abs(cpu[i] - gpu[i]) <= 1e-5 * scale, $"θ[{i}]: cpu {cpu[i]}, device {gpu[i]} (|θ|max {scale})");
    }

    [Fact]
    public async Task Without_workers_train_on_a_gpu_runs_one_worker_on_the_device_loop()
    {
        var (code, stdout, stderr) = await Simulated("train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--backend", "cuda",
            "--steps", "2", "--run-id", "default-workers", "--no-dashboard");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("device loop: on", stdout, StringComparison.Ordinal);
        using var summary = Summary("default-workers");
        Assert.Equal(1, summary.RootElement.GetProperty("workers").GetInt32()); // the recipe's 2 would only take turns on one GPU
    }

    [Fact]
    public async Task Two_workers_keep_the_worker_path_and_say_why()
    {
        var (code, stdout, stderr) = await Simulated("train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--backend", "cuda",
            "--workers", "2", "--steps", "2", "--no-dashboard");
        Assert.True(code == 0, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("device loop: off (the device loop runs one worker; this run has 2 (--workers 1 to use it))", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tf32_with_cuda_present_and_no_cublas_is_one_line_and_exit_2()
    {
        var (code, stdout, stderr) = await Simulated("train", "--data", _data.Directory, "--layers", SyntheticData.Layers, "--backend", "cuda", "--gpu-math", "tf32", "--steps", "1");
        Assert.True(code == 2, $"exit {code}: {stdout}{stderr}");
        Assert.StartsWith("error: gpu-math 'tf32': needs cuBLAS — looked for cuBLAS as libcublas.so.13", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    Task<(int Code, string Stdout, string Stderr)> Simulated(params string[] args)
    {
        var start = CliRunner.DotnetExec(typeof(ExitCodes).Assembly.Location, args, _work);
        start.Environment["THRESHER_CUDA_SIMULATOR"] = "ilgpu-cpu";
        start.Environment.Remove("THRESHER_CUBLAS");
        return CliRunner.RunToExit(start, TimeSpan.FromSeconds(240));
    }

    JsonDocument Summary(string runId) => JsonDocument.Parse(File.ReadAllText(Path.Combine(_work, "runs", runId, "summary.json")));
}
