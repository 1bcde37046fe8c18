using GradDiag.OrtBackend.Models;
using Microsoft.ML.OnnxRuntime;

namespace GradDiag.OrtBackend.Tests.Support;

/// <summary>Runs a model once on ONNX Runtime's CPU provider with float and int64 feeds.</summary>
internal static class OrtRunner
{
    public static Dictionary<string, float[]> Run(OnnxModel model, IReadOnlyDictionary<string, (float[] Values, long[] Dims)> floats, IReadOnlyDictionary<string, long>? int64Scalars = null)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var (name, (data, dims)) in floats)
            {
                names.Add(name);
                values.Add(OrtValue.CreateTensorValueFromMemory(data.ToArray(), dims));
            }

            foreach (var (name, value) in int64Scalars ?? new Dictionary<string, long>())
            {
                names.Add(name);
                values.Add(OrtValue.CreateTensorValueFromMemory(new[] { value }, []));
            }

            using var runOptions = new RunOptions();
            var outputNames = session.OutputNames.ToArray();
            using var results = session.Run(runOptions, names, values, outputNames);
            return outputNames.Zip(results).ToDictionary(p => p.First, p => p.Second.GetTensorDataAsSpan<float>().ToArray());
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }
}
