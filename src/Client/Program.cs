using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("thresher");
    config.PropagateExceptions();
});
return await Thresher.Client.ExitCodes.RunAsync(app, args);
