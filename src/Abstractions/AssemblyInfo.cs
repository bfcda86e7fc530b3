// Grain interfaces and messages arrive with the cluster issue.
[assembly: System.CLSCompliant(false)]
