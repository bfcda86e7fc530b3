using Thresher.Client.Usage;

namespace Thresher.Client.Tests;

/// <summary>
/// The whole command tree, read from the app (so a new command is covered without a new row): for every command an
/// unknown option, a near miss of one of its options, each of its options without its value, and an extra
/// positional argument are each one line naming the mistake, exit 2, and nothing runs.
/// </summary>
public sealed class StrictCliTests
{
    static readonly CommandInfo Tree = CommandInfo.Load();

    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var command in Tree.Leaves) data.Add(command.Path);
        return data;
    }

    /// <summary>The command's words and a stand-in for each of its positional arguments.</summary>
    static string[] Invocation(CommandInfo command) => [.. command.Path.Split(' '), .. command.Arguments.Select(_ => "some-run")];

    static CommandInfo Command(string path) => Tree.Leaves.Single(c => c.Path == path);

    [Fact]
    public void The_tree_holds_every_command()
    {
        string[] expected = ["train", "submit", "runs", "status", "cancel", "export", "eval", "cluster", "report", "demo explosion", "demo clipping", "demo spikes", "watch", "bench", "data fetch", "data info", "tls dev-certs"];
        Assert.Equal(expected.Order(), Tree.Leaves.Select(c => c.Path).Order());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task An_unknown_option_is_named(string path)
    {
        var command = Command(path);
        var (code, stdout, stderr) = await CliRunner.Run([.. Invocation(command), "--no-such-option"]);
        AssertUsageError(code, stdout, stderr, $"unknown option '--no-such-option' for 'thresher {path}'; 'thresher {path} --help' lists its options");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task A_near_miss_gets_a_suggestion(string path)
    {
        var command = Command(path);
        var option = command.Options.MaxBy(o => o.Long.Length)!; // the longest name: one letter less is nearest to it alone
        string typo = option.Long[..^1];
        var (code, stdout, stderr) = await CliRunner.Run([.. Invocation(command), $"--{typo}", .. option.TakesValue ? new[] { "1" } : []]);
        AssertUsageError(code, stdout, stderr, $"unknown option '--{typo}' for 'thresher {path}'; did you mean --{option.Long}?");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Every_option_that_takes_a_value_needs_one(string path)
    {
        var command = Command(path);
        var options = command.Options.Where(o => o.TakesValue).ToList();
        Assert.NotEmpty(options);
        foreach (var option in options)
        {
            var (code, stdout, stderr) = await CliRunner.Run([.. Invocation(command), $"--{option.Long}"]);
            AssertUsageError(code, stdout, stderr, $"option --{option.Long} of 'thresher {path}' needs a value: --{option.Long} <{option.Value}>");
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task An_extra_argument_is_named(string path)
    {
        var command = Command(path);
        var (code, stdout, stderr) = await CliRunner.Run([.. Invocation(command), "extra-argument"]);
        AssertUsageError(code, stdout, stderr, $"unexpected argument 'extra-argument' for 'thresher {path}'");
        (code, stdout, stderr) = await CliRunner.Run([.. Invocation(command), "--", "after-dashes"]);
        AssertUsageError(code, stdout, stderr, $"'--': 'thresher {path}' takes nothing after '--'");
    }

    [Theory]
    [InlineData("unknown command 'trian' for 'thresher'; did you mean train?", "trian")]
    [InlineData("unknown command 'fecth' for 'thresher data'; did you mean fetch?", "data", "fecth")]
    [InlineData("unknown option '--epoch' for 'thresher train'; did you mean --epochs?", "train", "--epoch", "1")]
    [InlineData("'thresher status' needs its argument RUN: thresher status RUN [options]", "status")]
    public async Task Mistyped_commands_and_missing_arguments_are_named(string message, params string[] args)
    {
        var (code, stdout, stderr) = await CliRunner.Run(args);
        AssertUsageError(code, stdout, stderr, message);
    }

    [Theory]
    [InlineData("epochs", "epoch", 1)]
    [InlineData("train", "trian", 1)]
    [InlineData("gateway", "gatway", 1)]
    [InlineData("abc", "abc", 0)]
    [InlineData("kitten", "sitting", 3)]
    public void Edit_distance_counts_a_swap_of_neighbours_as_one(string a, string b, int distance)
        => Assert.Equal(distance, NearestWord.EditDistance(a, b));

    [Fact]
    public void Only_near_misses_are_suggested()
    {
        Assert.Equal("epochs", NearestWord.Find("epoch", ["epochs", "eval-every", "steps"]));
        Assert.Null(NearestWord.Find("no-such-option", ["epochs", "eval-every", "steps"]));
        Assert.Null(NearestWord.Find("lr", ["layers", "loss"]));
    }

    static void AssertUsageError(int code, string stdout, string stderr, string message)
    {
        Assert.True(code == 2, $"exit {code}, expected 2: {stdout}{stderr}");
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Equal("", stdout); // nothing ran
    }
}
