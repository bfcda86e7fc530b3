namespace Thresher.Core.Kernels;

/// <summary>
/// The data caches of the core the process runs on, read at run time from Linux's
/// /sys/devices/system/cpu/cpu0/cache/index*/{level,type,size} (e.g. Ice Lake-SP: L1d 48 KiB, L2 1.25 MiB;
/// Zen 4: 32 KiB, 1 MiB). Where that is missing (other systems, containers hiding /sys) the smaller of the two
/// CPU kinds the project runs on is assumed: 32 KiB and 1 MiB.
/// </summary>
internal sealed record CacheSizes(long L1DataBytes, long L2Bytes)
{
    /// <summary>Assumed when /sys says nothing.</summary>
    public static readonly CacheSizes Default = new(32 * 1024, 1024 * 1024);

    /// <summary>This machine's, read once.</summary>
    public static CacheSizes Current { get; } = Read("/sys/devices/system/cpu/cpu0/cache");

    /// <summary>Reads the index*/ folders under <paramref name="root"/>; a size it cannot read keeps its default.</summary>
    public static CacheSizes Read(string root)
    {
        long l1 = 0, l2 = 0;
        try
        {
            if (!Directory.Exists(root)) return Default;
            foreach (string index in Directory.EnumerateDirectories(root, "index*"))
            {
                string level = ReadLine(index, "level"), type = ReadLine(index, "type");
                long size = ParseSize(ReadLine(index, "size"));
                if (level == "1" && type == "Data") l1 = size;
                else if (level == "2" && type is "Unified" or "Data") l2 = size;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Default; // an unreadable /sys is not an error: the kernels only lose their cache-sized blocking
        }
        return new CacheSizes(l1 > 0 ? l1 : Default.L1DataBytes, l2 > 0 ? l2 : Default.L2Bytes);
    }

    /// <summary>"48K" → 49,152; "1280K" → 1,310,720; "1M" → 1,048,576; a bare number is bytes; anything else 0.</summary>
    internal static long ParseSize(string text)
    {
        text = text.Trim();
        if (text.Length == 0) return 0;
        long unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1024, 'M' => 1024 * 1024, 'G' => 1024L * 1024 * 1024, _ => 1 };
        string digits = unit == 1 ? text : text[..^1];
        return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n) ? n * unit : 0;
    }

    private static string ReadLine(string folder, string file)
    {
        string path = Path.Combine(folder, file);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : "";
    }
}
