using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Thresher.Client.Tests;

/// <summary>
/// Offline checks of what deploy/ ships (no Docker engine or Kubernetes API here): the compose file, the
/// Kubernetes manifests and the Dockerfile parse, and hang together — names, labels, ports, environment.
/// deploy/check.sh adds `docker compose config`, `kubectl kustomize` and the publish the Dockerfile runs.
/// </summary>
public sealed partial class DeployTests
{
    static readonly string Repo = FindRepo();
    static readonly string Deploy = Path.Combine(Repo, "deploy");

    [Fact]
    public void Compose_file_has_redis_three_redis_clustered_silos_a_collector_and_a_one_shot_client()
    {
        var compose = Map(LoadYaml(Path.Combine(Deploy, "docker-compose.yml")).Single());
        var services = Map(compose["services"]);
        Assert.Equal(["client", "otel-collector", "redis", "silo1", "silo2", "silo3"], services.Keys.Order(StringComparer.Ordinal));
        Assert.True(Map(services["redis"]).ContainsKey("healthcheck"), "redis needs a health check: the silos wait for it");
        // Persistent: a restarted Redis keeps membership, reminders and checkpoints (an AOF on a volume).
        var redisCommand = List(Map(services["redis"])["command"]).Cast<string>().ToArray();
        Assert.Equal("yes", redisCommand[Array.IndexOf(redisCommand, "--appendonly") + 1]);
        Assert.Contains("redis-data:/data", List(Map(services["redis"])["volumes"]).Cast<string>());
        Assert.Contains("--appendonly yes", File.ReadAllText(Path.Combine(Deploy, "local-cluster.sh")), StringComparison.Ordinal);
        foreach (string name in new[] { "silo1", "silo2", "silo3" })
        {
            var silo = Map(services[name]);
            var env = Map(silo["environment"]);
            Assert.Equal("Redis", env["Orleans__Clustering__ProviderType"]);
            Assert.Equal("redis:6379", env["Orleans__Clustering__ConnectionString"]);
            Assert.Equal("thresher", env["Orleans__ClusterId"]);
            Assert.StartsWith("http://otel-collector:", (string)env["OTEL_EXPORTER_OTLP_ENDPOINT"], StringComparison.Ordinal);
            Assert.Equal("deploy/Dockerfile", Map(silo["build"])["dockerfile"]);
            Assert.Equal("service_healthy", Map(Map(silo["depends_on"])["redis"])["condition"]);
        }
        var client = Map(services["client"]);
        var command = List(client["command"]).Cast<string>().ToArray();
        Assert.Equal("submit", command[0]);
        Assert.Equal("silo1:30000", command[Array.IndexOf(command, "--gateway") + 1]);
        Assert.Contains("--watch", command);
        foreach (var dependency in Map(client["depends_on"]).Values)
            Assert.Equal("service_healthy", Map(dependency)["condition"]); // silos are healthy via the image's HEALTHCHECK

        var collector = Map(LoadYaml(Path.Combine(Deploy, "otel-collector.yaml")).Single());
        var pipelines = Map(Map(collector["service"])["pipelines"]);
        Assert.True(pipelines.ContainsKey("traces") && pipelines.ContainsKey("metrics"), "the collector takes traces and metrics");
        Assert.Contains("./otel-collector.yaml:/etc/otelcol/config.yaml:ro", List(Map(services["otel-collector"])["volumes"]));
    }

    [Fact]
    public void Dockerfile_is_multi_stage_non_root_with_a_health_check_and_copies_every_project()
    {
        string dockerfile = File.ReadAllText(Path.Combine(Deploy, "Dockerfile"));
        Assert.True(FromLine().Matches(dockerfile).Count >= 2, "expected a build stage and a runtime stage");
        Assert.Matches(@"(?m)^USER \$APP_UID$", dockerfile);
        Assert.Matches(@"(?m)^HEALTHCHECK ", dockerfile);
        Assert.Matches(@"(?m)^ENTRYPOINT \[""thresher-silo""\]$", dockerfile);
        Assert.Contains("dotnet publish src/Silo", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/Client", dockerfile, StringComparison.Ordinal);
        // The restore layer copies project files one by one: a new project must be listed there too.
        foreach (string project in Directory.GetFiles(Path.Combine(Repo, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(Repo, project).Replace('\\', '/');
            Assert.True(dockerfile.Contains($"COPY {relative} ", StringComparison.Ordinal), $"deploy/Dockerfile does not COPY {relative} before 'dotnet restore'");
        }
    }

    [Fact]
    public void Local_cluster_script_prints_usage_and_rejects_a_bad_count()
    {
        string script = Path.Combine(Deploy, "local-cluster.sh");
        var (code, _, stderr) = Bash(script, ["start", "many"], new() { ["THRESHER_RUN_DIR"] = Path.Combine(Path.GetTempPath(), $"thresher-lc-{Guid.NewGuid():N}") });
        Assert.Equal(1, code);
        Assert.Contains("N 'many': expected a silo count", stderr, StringComparison.Ordinal);
        (code, _, stderr) = Bash(script, [], []);
        Assert.Equal(2, code);
        Assert.Contains("local-cluster.sh start [N]", stderr, StringComparison.Ordinal);
    }

    internal static (int Code, string Stdout, string Stderr) Bash(string script, string[] args, Dictionary<string, string> env, int timeoutSeconds = 30)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in env) start.Environment[k] = v;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} {string.Join(' ', args)} ran longer than {timeoutSeconds} s: {stderr.Result}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The checkout: above the test binaries, or (with an --artifacts-path elsewhere) above this source file.</summary>
    internal static string FindRepo([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(source) ?? "" })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Thresher.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Thresher.slnx above {AppContext.BaseDirectory} or {source}");
    }

    /// <summary>Every document of a YAML file, with merge keys (&lt;&lt;: *anchor) resolved.</summary>
    static List<object> LoadYaml(string path)
    {
        var deserializer = new DeserializerBuilder().Build();
        using var reader = new StreamReader(path);
        var parser = new MergingParser(new Parser(reader));
        var docs = new List<object>();
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        while (!parser.Accept<YamlDotNet.Core.Events.StreamEnd>(out _))
            docs.Add(deserializer.Deserialize<object>(parser) ?? throw new InvalidDataException($"{path}: empty document"));
        return docs;
    }

    static IReadOnlyDictionary<string, object> Map(object node) => node is Dictionary<object, object> d
        ? d.ToDictionary(kv => (string)kv.Key, kv => kv.Value)
        : throw new InvalidDataException($"expected a mapping, found {node}");

    static List<object> List(object node) => node as List<object> ?? throw new InvalidDataException($"expected a sequence, found {node}");

    [GeneratedRegex(@"(?m)^FROM \S+ AS \w+$")]
    private static partial Regex FromLine();
}
