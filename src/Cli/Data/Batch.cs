namespace GradDiag.Cli.Data;

/// <summary>One batch: inputs and labels with their full shapes, batch dimension first.</summary>
/// <param name="Inputs">The inputs: float[] or long[].</param>
/// <param name="InputShape">The input shape, for example [32, 64].</param>
/// <param name="Labels">The labels: long[] or float[].</param>
/// <param name="LabelShape">The label shape, for example [32].</param>
internal sealed record Batch(Array Inputs, long[] InputShape, Array Labels, long[] LabelShape)
{
    /// <summary>Gets the number of rows.</summary>
    public int Count => (int)InputShape[0];

    /// <summary>Returns the batch as named tensors for a training backend.</summary>
    public TrainingBatch ToTrainingBatch(string inputName, string labelName)
    {
        var batch = new TrainingBatch();
        _ = Inputs is float[] floats ? batch.Add(inputName, floats, InputShape) : batch.Add(inputName, (long[])Inputs, InputShape);
        _ = Labels is long[] classes ? batch.Add(labelName, classes, LabelShape) : batch.Add(labelName, (float[])Labels, LabelShape);
        return batch;
    }
}
