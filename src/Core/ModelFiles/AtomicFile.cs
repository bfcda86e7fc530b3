namespace Thresher.Core.ModelFiles;

/// <summary>
/// Writes a model file so that a reader never sees half of it: into a temporary file beside the target,
/// flushed to disk, then renamed over the target. Used for safetensors and ONNX files alike.
/// </summary>
public static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> on a fresh temporary file, then moves it to <paramref name="path"/>.</summary>
    /// <exception cref="ThresherInputException">The file cannot be written (the message names it); nothing is left behind.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = System.IO.Path.GetFullPath(path);
        string temporary = fullPath + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new ThresherInputException(
                $"{path}: cannot write the model file ({e.Message}) — check that the directory exists, is writable and has free space.", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error is what the caller needs to see.
        }
    }
}
