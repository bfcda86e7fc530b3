using BenchmarkDotNet.Running;

if (args is ["spike-cost", .. var rest])
{
    Thresher.Bench.SpikeCost.Run(rest);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
