using Thresher.Silo;

return await SiloProgram.RunAsync(args, Console.Out, Console.Error);
