// The silo host arrives with the cluster issue; this prints what it will be.
Console.Error.WriteLine("thresher-silo: the silo host is not built yet (see README, Status).");
return 2;
