namespace Thresher.GpuCheck;

/// <summary>Lines to stdout and, when given, to a file (flushed per line, so a killed run keeps what it had).</summary>
sealed class Report(string? path)
{
    public void Line(string text)
    {
        Console.WriteLine(text);
        if (path is not null) File.AppendAllText(path, text + Environment.NewLine);
    }
}
