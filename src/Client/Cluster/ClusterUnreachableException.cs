namespace Thresher.Client.Cluster;

/// <summary>No silo answered at the gateway the user named (exit code 3).</summary>
public sealed class ClusterUnreachableException : Exception
{
    public ClusterUnreachableException() { }
    public ClusterUnreachableException(string message) : base(message) { }
    public ClusterUnreachableException(string message, Exception inner) : base(message, inner) { }
}
