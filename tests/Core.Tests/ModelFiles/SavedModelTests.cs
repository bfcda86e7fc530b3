using Thresher.Core.Model;
using Thresher.Core.ModelFiles;

namespace Thresher.Core.Tests.ModelFiles;

/// <summary>Reading a model file whose layer sizes are not known beforehand, and the metadata that says how to feed it.</summary>
public sealed class SavedModelTests : IDisposable
{
    readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    string Save(MlpConfig config, out float[] theta, params (string Key, string Value)[] metadata)
    {
        var layout = new ParameterLayout(config);
        theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, InitKind.He, 5);
        string path = _dir.File($"m{Guid.NewGuid():N}.safetensors");
        ModelFile.Save(path, layout, theta, metadata.Select(m => KeyValuePair.Create(m.Key, m.Value)));
        return path;
    }

    [Fact]
    public void Layer_sizes_come_from_the_weights_and_theta_is_bit_exact()
    {
        string path = Save(new MlpConfig([7, 5, 4, 3]), out float[] theta, ("input_scale", "50"), ("loss", "mse"));
        SavedModel model = SavedModel.Read(path);
        Assert.Equal([7, 5, 4, 3], model.Config.Layers);
        Assert.Equal(theta.Select(BitConverter.SingleToInt32Bits), model.Theta.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(50f, model.InputScale);
        Assert.Equal(LossKind.Mse, ModelMetadata.ReadLoss(model.Metadata));
    }

    [Fact]
    public void Older_files_give_scale_and_loss_through_their_config_line()
    {
        string path = Save(new MlpConfig([4, 3]), out _, ("config", "data=mnist layers=4,3 loss=mse x/50 lr=0.01 batch=128"));
        SavedModel model = SavedModel.Read(path);
        Assert.Equal(50f, model.InputScale);
        Assert.Equal(LossKind.Mse, ModelMetadata.ReadLoss(model.Metadata));

        SavedModel bare = SavedModel.Read(Save(new MlpConfig([4, 3]), out _));
        Assert.Null(bare.InputScale);
        Assert.Null(ModelMetadata.ReadLoss(bare.Metadata));
    }

    [Fact]
    public void A_recorded_scale_that_is_not_positive_is_bad_input()
    {
        SavedModel model = SavedModel.Read(Save(new MlpConfig([4, 3]), out _, ("input_scale", "-2")));
        var e = Assert.Throws<ThresherInputException>(() => model.InputScale);
        Assert.Contains("recorded input scale '-2' is not a finite number > 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_that_do_not_chain_are_named()
    {
        string path = _dir.File("broken.safetensors");
        SafeTensors.Write(path, [new("w1", new Tensor(new float[12], [4, 3])), new("b1", new Tensor(new float[3], [3])),
            new("w2", new Tensor(new float[10], [5, 2])), new("b2", new Tensor(new float[2], [2]))]);
        var e = Assert.Throws<ThresherInputException>(() => SavedModel.Read(path));
        Assert.Contains("w2 has shape [5,2] but w1 ends in 3 units, so w2 must be [3, …]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_w1_or_with_a_wrong_bias_is_bad_input()
    {
        string path = _dir.File("other.safetensors");
        SafeTensors.Write(path, [new("embedding", new Tensor(new float[6], [2, 3]))]);
        var e = Assert.Throws<ThresherInputException>(() => SavedModel.Read(path));
        Assert.Contains("no 2-D weight tensor w1 (it has embedding)", e.Message, StringComparison.Ordinal);

        SafeTensors.Write(path, [new("w1", new Tensor(new float[12], [4, 3])), new("b1", new Tensor(new float[4], [4]))]);
        e = Assert.Throws<ThresherInputException>(() => SavedModel.Read(path));
        Assert.Contains("b1: expected shape [3], file has [4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_format_comes_from_the_extension_else_from_the_first_bytes()
    {
        string safetensors = Save(new MlpConfig([4, 3]), out float[] theta);
        string onnx = _dir.File("m.onnx");
        OnnxExport.Save(onnx, new ParameterLayout(new MlpConfig([4, 3])), theta, 255f);
        Assert.Equal(ModelFileFormat.Onnx, ModelFileFormats.Detect(onnx));
        File.Copy(safetensors, _dir.File("a.bin"));
        File.Copy(onnx, _dir.File("b.bin"));
        Assert.Equal(ModelFileFormat.Safetensors, ModelFileFormats.Detect(_dir.File("a.bin")));
        Assert.Equal(ModelFileFormat.Onnx, ModelFileFormats.Detect(_dir.File("b.bin")));

        File.WriteAllText(_dir.File("c.bin"), "hello, world");
        var e = Assert.Throws<ThresherInputException>(() => ModelFileFormats.Detect(_dir.File("c.bin")));
        Assert.Contains("neither a safetensors nor an ONNX model file", e.Message, StringComparison.Ordinal);
        Assert.Equal(ModelFileFormat.Onnx, ModelFileFormats.Parse("ONNX"));
        Assert.Throws<ThresherInputException>(() => ModelFileFormats.Parse("pt"));
    }
}
