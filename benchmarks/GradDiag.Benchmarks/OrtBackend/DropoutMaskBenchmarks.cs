using BenchmarkDotNet.Attributes;
using GradDiag.OrtBackend.Graphs;
using GradDiag.OrtBackend.Models;
using GradDiag.OrtBackend.Onnx;
using GradDiag.OrtBackend.Standalone;
using GradDiag.OrtBackend.Training;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.Benchmarks.OrtBackend;

/// <summary>
/// Times one Dropout with its mask on a [128, 1024] activation, bench_mlp's hidden layer, on two threads: ONNX
/// Runtime's Dropout node, and the keyed mask that the backend writes in its place so that resumed runs repeat masks.
/// </summary>
[MinColumn]
public class DropoutMaskBenchmarks : IDisposable
{
    private static readonly long[] Shape = [128, 1024];
    private readonly float[] _input = new float[128 * 1024];
    private readonly long[] _key = [12345];
    private InferenceSession? _native;
    private InferenceSession? _keyed;
    private OrtValue? _inputValue;
    private OrtValue? _keyValue;

    /// <summary>Creates both sessions over the same model and fills the input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (var i = 0; i < _input.Length; i++)
        {
            _input[i] = (float)(random.NextDouble() - 0.5);
        }

        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var model = DropoutModel();
        _native = new InferenceSession(new OnnxModel(model.Clone()).ToByteArray(), options);
        KeyedDropout.Apply(model);
        _keyed = new InferenceSession(new OnnxModel(model).ToByteArray(), options);
        _inputValue = OrtValue.CreateTensorValueFromMemory(_input, Shape);
        _keyValue = OrtValue.CreateTensorValueFromMemory(_key, []);
    }

    /// <summary>ONNX Runtime's Dropout, which draws from its session's generator.</summary>
    [Benchmark(Baseline = true)]
    public float Native()
    {
        using var outputs = _native!.Run(new RunOptions(), ["x"], [_inputValue!], ["y", "mask"]);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    /// <summary>The keyed mask: two int64 squares mod 2^31 − 1 per element, then the comparison and the scaling.</summary>
    [Benchmark]
    public float Keyed()
    {
        using var outputs = _keyed!.Run(new RunOptions(), ["x", KeyedDropout.KeyInput], [_inputValue!, _keyValue!], ["y", "mask"]);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    /// <summary>Releases the sessions and values.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _native?.Dispose();
        _keyed?.Dispose();
        _inputValue?.Dispose();
        _keyValue?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static ModelProto DropoutModel()
    {
        var graph = new GraphProto { Name = "dropout" };
        graph.Input.Add(StandaloneGraph.ValueInfo("x", new TensorInfo(DataTypes.Float, Shape)));
        graph.Initializer.Add(Tensors.FromDoubles("ratio", DataTypes.Float, [], [0.5]));
        graph.Initializer.Add(Tensors.FromBools("training", [], [true]));
        graph.Node.Add(new NodeProto { OpType = "Dropout", Name = "dropout", Input = { "x", "ratio", "training" }, Output = { "y", "mask" } });
        graph.Output.Add(StandaloneGraph.ValueInfo("y", new TensorInfo(DataTypes.Float, Shape)));
        graph.Output.Add(StandaloneGraph.ValueInfo("mask", new TensorInfo(DataTypes.Bool, Shape)));
        var model = new ModelProto { IrVersion = StandaloneGraph.IrVersion, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = StandaloneGraph.Opset });
        return model;
    }
}
