namespace Thresher.Core.Data;

/// <summary>
/// An MNIST-format dataset: a directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each raw or gzip (with or without a .gz name).
/// Get one through <see cref="DatasetCatalog.Load"/>, which keeps one copy per process.
/// </summary>
public sealed class Dataset
{
    /// <summary>The four standard file names (without .gz), in the order of <see cref="Files"/>.</summary>
    public static IReadOnlyList<string> StandardFileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    Dataset(string name, string directory, DataSplit train, DataSplit test)
    {
        Name = name;
        Directory = directory;
        Train = train;
        Test = test;
        Files = [train.ImageFile!, train.LabelFile!, test.ImageFile!, test.LabelFile!];
    }

    /// <summary>"mnist", "fashion-mnist", or the directory's own name.</summary>
    public string Name { get; }
    /// <summary>Full path of the directory the files were read from.</summary>
    public string Directory { get; }
    public DataSplit Train { get; }
    public DataSplit Test { get; }
    /// <summary>The four files with sizes and SHA-256, in <see cref="StandardFileNames"/> order.</summary>
    public IReadOnlyList<DatasetFile> Files { get; }

    /// <summary>
    /// Reads a dataset directory from disk, bypassing the process-wide cache (benchmarks, tools).
    /// Trainers should call <see cref="DatasetCatalog.Load"/> instead.
    /// </summary>
    public static Dataset ReadDirectory(string directory, string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.GetFullPath(directory);
        var paths = LocateFiles(full);
        // Read the big training images beside the other three: the reads overlap on two cores.
        var trainImagesTask = Task.Run(() => IdxReader.ReadImages(paths[0]));
        IdxLabels trainLabels, testLabels;
        IdxImages testImages;
        try
        {
            trainLabels = IdxReader.ReadLabels(paths[1]);
            testImages = IdxReader.ReadImages(paths[2]);
            testLabels = IdxReader.ReadLabels(paths[3]);
        }
        catch (ThresherInputException)
        {
            Task.WaitAny(trainImagesTask); // let the background read finish before reporting this error
            throw;
        }
        var trainImages = trainImagesTask.GetAwaiter().GetResult();
        var train = MakeSplit("train", trainImages, trainLabels);
        var test = MakeSplit("test", testImages, testLabels);
        if (test.Rows != train.Rows || test.Cols != train.Cols)
            throw new ThresherInputException($"{paths[2]}: test images are {test.Rows}x{test.Cols} but the training images ({paths[0]}) are {train.Rows}x{train.Cols} — the files come from different datasets");
        return new Dataset(name ?? Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)), full, train, test);
    }

    static DataSplit MakeSplit(string name, IdxImages images, IdxLabels labels)
    {
        if (images.Count != labels.Count)
            throw new ThresherInputException($"{images.File.Path} holds {images.Count} images but {labels.File.Path} holds {labels.Count} labels — the files do not belong together; replace both with one matching pair");
        return new DataSplit(name, images.Pixels, labels.Labels, images.Rows, images.Cols, images.File, labels.File);
    }

    /// <summary>The four files' paths; a raw file wins over its .gz twin.</summary>
    internal static string[] LocateFiles(string directory)
    {
        HashSet<string> present;
        try
        {
            present = new HashSet<string>(System.IO.Directory.EnumerateFiles(directory).Select(Path.GetFileName)!, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            throw new ThresherInputException($"{directory}: no such directory — pass 'mnist', 'fashion-mnist' or a directory holding the four IDX files", e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ThresherInputException($"{directory}: cannot read the directory ({e.Message}) — check that it exists and that you may list and read it", e);
        }
        var paths = new string[StandardFileNames.Count];
        var missing = new List<string>();
        for (int i = 0; i < paths.Length; i++)
        {
            string name = StandardFileNames[i];
            if (present.Contains(name)) paths[i] = Path.Combine(directory, name);
            else if (present.Contains(name + ".gz")) paths[i] = Path.Combine(directory, name + ".gz");
            else missing.Add(name);
        }
        if (missing.Count > 0)
            throw new ThresherInputException($"{directory}: missing {string.Join(", ", missing)} — a dataset directory holds {string.Join(", ", StandardFileNames)} (raw or .gz)");
        return paths;
    }
}
