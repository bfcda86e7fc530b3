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
    public void Kubernetes_manifests_are_complete_and_consistent()
    {
        string dir = Path.Combine(Deploy, "k8s");
        var kustomization = Map(LoadYaml(Path.Combine(dir, "kustomization.yaml")).Single());
        var listed = List(kustomization["resources"]).Cast<string>().Order(StringComparer.Ordinal).ToArray();
        var files = Directory.GetFiles(dir, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(files, listed);

        var docs = listed.SelectMany(f => LoadYaml(Path.Combine(dir, f)).Select(d => (File: f, Doc: Map(d)))).ToArray();
        var apiVersions = new Dictionary<string, string>
        {
            ["Namespace"] = "v1", ["Service"] = "v1", ["ServiceAccount"] = "v1", ["PersistentVolumeClaim"] = "v1",
            ["Deployment"] = "apps/v1", ["StatefulSet"] = "apps/v1", ["Job"] = "batch/v1",
            ["Role"] = "rbac.authorization.k8s.io/v1", ["RoleBinding"] = "rbac.authorization.k8s.io/v1",
            ["PodDisruptionBudget"] = "policy/v1",
        };
        foreach (var (file, doc) in docs)
        {
            string kind = (string)doc["kind"];
            Assert.True(apiVersions.TryGetValue(kind, out var api), $"{file}: unexpected kind {kind}");
            Assert.Equal(api, doc["apiVersion"]);
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", (string)Map(doc["metadata"])["name"]);
        }
        IReadOnlyDictionary<string, object> One(string kind, string name)
            => docs.Single(d => (string)d.Doc["kind"] == kind && (string)Map(d.Doc["metadata"])["name"] == name).Doc;

        // Silos: Redis membership, Kubernetes hosting, the downward-API variables UseKubernetesHosting reads.
        var silos = One("StatefulSet", "thresher-silo");
        var spec = Map(silos["spec"]);
        var pod = Map(spec["template"]);
        var labels = Map(Map(pod["metadata"])["labels"]);
        foreach (var (key, value) in Map(Map(spec["selector"])["matchLabels"]))
            Assert.Equal(value, labels[key]);
        Assert.True(labels.ContainsKey("orleans/serviceId") && labels.ContainsKey("orleans/clusterId"), "UseKubernetesHosting needs the orleans/* pod labels");
        var podSpec = Map(pod["spec"]);
        var silo = Map(List(podSpec["containers"]).Single());
        var env = List(silo["env"]).Select(Map).ToDictionary(e => (string)e["name"], e => e);
        foreach (string name in new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID" })
            Assert.True(env.ContainsKey(name), $"silo env lacks {name}");
        Assert.Equal("Redis", env["Orleans__Clustering__ProviderType"]["value"]);
        Assert.Equal("true", env["THRESHER__KUBERNETES"]["value"]);
        string redisService = ((string)env["Orleans__Clustering__ConnectionString"]["value"]).Split(':')[0];
        One("Service", redisService);

        // RBAC: the silos' service account may watch and delete pods.
        string account = (string)podSpec["serviceAccountName"];
        One("ServiceAccount", account);
        var binding = docs.Single(d => (string)d.Doc["kind"] == "RoleBinding").Doc;
        Assert.Contains(List(binding["subjects"]).Select(Map), s => (string)s["kind"] == "ServiceAccount" && (string)s["name"] == account);
        var role = One("Role", (string)Map(binding["roleRef"])["name"]);
        var podRule = List(role["rules"]).Select(Map).Single(r => List(r["resources"]).Contains("pods"));
        foreach (string verb in new[] { "get", "list", "watch", "delete" }) Assert.Contains(verb, List(podRule["verbs"]));

        // Every container asks for resources; every Service selects pods that exist and names their ports.
        var templates = docs.Where(d => d.Doc.ContainsKey("spec") && Map(d.Doc["spec"]).ContainsKey("template"))
            .Select(d => Map(Map(d.Doc["spec"])["template"])).ToArray();
        foreach (var template in templates)
            foreach (var container in List(Map(template["spec"])["containers"]).Select(Map))
            {
                var requests = Map(Map(container["resources"])["requests"]);
                Assert.True(requests.ContainsKey("cpu") && requests.ContainsKey("memory"), $"container {container["name"]} lacks cpu/memory requests");
            }
        foreach (var service in docs.Where(d => (string)d.Doc["kind"] == "Service").Select(d => Map(d.Doc["spec"])))
        {
            var selector = Map(service["selector"]);
            var target = templates.Single(t => selector.All(kv => Map(Map(t["metadata"])["labels"]).TryGetValue(kv.Key, out var v) && Equals(v, kv.Value)));
            var portNames = List(Map(target["spec"])["containers"]).Select(Map).SelectMany(c => List(c["ports"]).Select(Map)).Select(p => p["name"]).ToArray();
            foreach (var port in List(service["ports"]).Select(Map)) Assert.Contains(port["targetPort"], portNames);
        }

        // The Job submits through the gateway Service and never restarts in place.
        var job = Map(Map(One("Job", "thresher-submit")["spec"])["template"]);
        Assert.Equal("Never", Map(job["spec"])["restartPolicy"]);
        var args = List(Map(List(Map(job["spec"])["containers"]).Single())["args"]).Cast<string>().ToArray();
        Assert.Equal("thresher-gateway:30000", args[Array.IndexOf(args, "--gateway") + 1]);
        One("Service", "thresher-gateway");
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
