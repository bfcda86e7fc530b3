using Thresher.Client;

return await CliApp.RunAsync(args);
