// Worker and parameter-server grains arrive with the cluster issue.
[assembly: System.CLSCompliant(false)]
