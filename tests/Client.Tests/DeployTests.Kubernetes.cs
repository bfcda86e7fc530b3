namespace Thresher.Client.Tests;

/// <summary>deploy/k8s: the kustomization lists every manifest, and the manifests hang together.</summary>
public sealed partial class DeployTests
{
    static string KubernetesDirectory => Path.Combine(Deploy, "k8s");

    [Fact]
    public void Kustomization_lists_every_kubernetes_manifest()
    {
        var files = Directory.GetFiles(KubernetesDirectory, "*.yaml").Select(Path.GetFileName)
            .Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(files, KustomizationResources());
    }

    [Fact]
    public void Kubernetes_manifests_have_known_kinds_their_api_versions_and_valid_names()
    {
        var apiVersions = new Dictionary<string, string>
        {
            ["Namespace"] = "v1", ["Service"] = "v1", ["ServiceAccount"] = "v1", ["PersistentVolumeClaim"] = "v1",
            ["Deployment"] = "apps/v1", ["StatefulSet"] = "apps/v1", ["Job"] = "batch/v1",
            ["Role"] = "rbac.authorization.k8s.io/v1", ["RoleBinding"] = "rbac.authorization.k8s.io/v1",
            ["PodDisruptionBudget"] = "policy/v1",
        };
        foreach (var (file, doc) in KubernetesDocuments())
        {
            string kind = (string)doc["kind"];
            Assert.True(apiVersions.TryGetValue(kind, out var api), $"{file}: unexpected kind {kind}");
            Assert.Equal(api, doc["apiVersion"]);
            Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", (string)Map(doc["metadata"])["name"]);
        }
    }

    [Fact]
    public void Silo_statefulset_has_redis_membership_kubernetes_hosting_and_the_downward_api_variables()
    {
        var docs = KubernetesDocuments();
        var spec = Map(One(docs, "StatefulSet", "thresher-silo")["spec"]);
        var pod = Map(spec["template"]);
        var labels = Map(Map(pod["metadata"])["labels"]);
        foreach (var (key, value) in Map(Map(spec["selector"])["matchLabels"]))
            Assert.Equal(value, labels[key]);
        Assert.True(labels.ContainsKey("orleans/serviceId") && labels.ContainsKey("orleans/clusterId"), "UseKubernetesHosting needs the orleans/* pod labels");
        var silo = Map(List(Map(pod["spec"])["containers"]).Single());
        var env = List(silo["env"]).Select(Map).ToDictionary(e => (string)e["name"], e => e);
        foreach (string name in new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID" })
            Assert.True(env.ContainsKey(name), $"silo env lacks {name}");
        Assert.Equal("Redis", env["Orleans__Clustering__ProviderType"]["value"]);
        Assert.Equal("true", env["THRESHER__KUBERNETES"]["value"]);
        string redisService = ((string)env["Orleans__Clustering__ConnectionString"]["value"]).Split(':')[0];
        One(docs, "Service", redisService);
        // That Redis persists (AOF on its claim), so a restart keeps membership, reminders and checkpoints.
        var redisPod = Map(Map(Map(One(docs, "Deployment", "thresher-redis")["spec"])["template"])["spec"]);
        var args = List(Map(List(redisPod["containers"]).Single())["args"]).Cast<string>().ToArray();
        Assert.Equal("yes", args[Array.IndexOf(args, "--appendonly") + 1]);
        string claim = (string)Map(Map(List(redisPod["volumes"]).Single())["persistentVolumeClaim"])["claimName"];
        One(docs, "PersistentVolumeClaim", claim);
    }

    [Fact]
    public void Silo_service_account_may_watch_and_delete_pods()
    {
        var docs = KubernetesDocuments();
        var podSpec = Map(Map(Map(One(docs, "StatefulSet", "thresher-silo")["spec"])["template"])["spec"]);
        string account = (string)podSpec["serviceAccountName"];
        One(docs, "ServiceAccount", account);
        var binding = docs.Single(d => (string)d.Doc["kind"] == "RoleBinding").Doc;
        Assert.Contains(List(binding["subjects"]).Select(Map), s => (string)s["kind"] == "ServiceAccount" && (string)s["name"] == account);
        var role = One(docs, "Role", (string)Map(binding["roleRef"])["name"]);
        var podRule = List(role["rules"]).Select(Map).Single(r => List(r["resources"]).Contains("pods"));
        foreach (string verb in new[] { "get", "list", "watch", "delete" }) Assert.Contains(verb, List(podRule["verbs"]));
    }

    [Fact]
    public void Every_container_requests_resources_and_every_service_selects_pods_by_port_name()
    {
        var docs = KubernetesDocuments();
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
    }

    [Fact]
    public void Submit_job_goes_through_the_gateway_service_and_never_restarts_in_place()
    {
        var docs = KubernetesDocuments();
        var job = Map(Map(One(docs, "Job", "thresher-submit")["spec"])["template"]);
        Assert.Equal("Never", Map(job["spec"])["restartPolicy"]);
        var args = List(Map(List(Map(job["spec"])["containers"]).Single())["args"]).Cast<string>().ToArray();
        Assert.Equal("thresher-gateway:30000", args[Array.IndexOf(args, "--gateway") + 1]);
        One(docs, "Service", "thresher-gateway");
    }

    /// <summary>The files kustomization.yaml lists, in name order.</summary>
    static string[] KustomizationResources()
    {
        var kustomization = Map(LoadYaml(Path.Combine(KubernetesDirectory, "kustomization.yaml")).Single());
        return [.. List(kustomization["resources"]).Cast<string>().Order(StringComparer.Ordinal)];
    }

    /// <summary>Every document of every listed manifest, with its file name.</summary>
    static (string File, IReadOnlyDictionary<string, object> Doc)[] KubernetesDocuments()
        => [.. KustomizationResources().SelectMany(f => LoadYaml(Path.Combine(KubernetesDirectory, f)).Select(d => (File: f, Doc: Map(d))))];

    /// <summary>The one manifest of this kind and name (fails when there is none or more).</summary>
    static IReadOnlyDictionary<string, object> One((string File, IReadOnlyDictionary<string, object> Doc)[] docs, string kind, string name)
        => docs.Single(d => (string)d.Doc["kind"] == kind && (string)Map(d.Doc["metadata"])["name"] == name).Doc;
}
