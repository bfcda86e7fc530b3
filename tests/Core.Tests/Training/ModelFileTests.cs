using Thresher.Core.ModelFiles;
using Thresher.Core.Model;

namespace Thresher.Core.Tests.Training;

public sealed class ModelFileTests
{
    [Fact]
    public void Save_then_load_is_bit_exact_and_checks_shapes()
    {
        var config = new MlpConfig([6, 5, 3]);
        var layout = new ParameterLayout(config);
        var theta = new float[layout.TotalLength];
        Initializer.Initialize(theta, layout, InitKind.Glorot, 3);
        theta[0] = -0f;
        theta[1] = float.Epsilon;
        string dir = Directory.CreateTempSubdirectory("thresher-model-").FullName;
        try
        {
            string path = Path.Combine(dir, "m.safetensors");
            ModelFile.Save(path, layout, theta, [new("step", "7")]);
            var loaded = ModelFile.Load(path, config);
            Assert.Equal(theta.Select(BitConverter.SingleToInt32Bits), loaded.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal("7", SafeTensors.Read(path).Metadata["step"]);

            var e = Assert.Throws<ThresherInputException>(() => ModelFile.Load(path, new MlpConfig([6, 4, 3])));
            Assert.Contains("w1: expected shape [6,4], file has [6,5]", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
