using GradDiag.OrtBackend.Losses;
using GradDiag.OrtBackend.Tests.Support;
using GradDiag.OrtBackend.Training;

namespace GradDiag.OrtBackend.Tests.Training;

/// <summary>Batches that do not match the model are rejected before anything runs.</summary>
public sealed class BatchValidationTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Unknown_input_is_named()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var batch = DigitsData.Batch("digits_mlp", 0, 4).Add("pixels", new float[4], 4);

        var compute = () => backend.ComputeGradients(batch);

        compute.Should().Throw<ArgumentException>().WithMessage("*'pixels'*Expected inputs: input Single[?, 64], labels Int64[?]*");
    }

    [Fact]
    public void Missing_input_is_named()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var batch = new TrainingBatch().Add("input", new float[4 * 64], 4, 64);

        var compute = () => backend.ComputeGradients(batch);

        compute.Should().Throw<ArgumentException>().WithMessage("*lacks the input 'labels'*");
    }

    [Fact]
    public void Wrong_shape_shows_expected_and_actual()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var batch = new TrainingBatch().Add("input", new float[4 * 63], 4, 63).Add("labels", new long[4], 4);

        var compute = () => backend.ComputeGradients(batch);

        compute.Should().Throw<ArgumentException>().WithMessage("*'input' has shape [4, 63]*expects [?, 64]*");
    }

    [Fact]
    public void Wrong_element_type_shows_expected_and_actual()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var batch = new TrainingBatch().Add("input", new double[4 * 64], 4, 64).Add("labels", new long[4], 4);

        var compute = () => backend.ComputeGradients(batch);

        compute.Should().Throw<ArgumentException>().WithMessage("*'input' has element type Double*expects Single*");
    }

    [Fact]
    public void Label_out_of_range_is_rejected()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var batch = new TrainingBatch().Add("input", new float[3 * 64], 3, 64).Add("labels", new long[] { 1, 10, 2 }, 3);

        var compute = () => backend.ComputeGradients(batch);

        compute.Should().Throw<ArgumentException>().WithMessage("*'labels' has class index 10 at element 1*[0, 9]*");
    }

    [Fact]
    public void Negative_label_is_rejected()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var batch = new TrainingBatch().Add("input", new float[2 * 64], 2, 64).Add("labels", new long[] { -1, 0 }, 2);

        var compute = () => backend.ComputeGradients(batch);

        compute.Should().Throw<ArgumentException>().WithMessage("*class index -1 at element 0*");
    }

    [Fact]
    public void Ignored_label_is_accepted()
    {
        var source = BackendSetup.CopyModel(directory, "digits_mlp");
        using var backend = OrtTrainingBackend.Create(
            source,
            "output",
            new LossOptions { Kind = LossKind.CrossEntropy, IgnoreIndex = -100 },
            null,
            new OrtBackendOptions { ArtifactsDirectory = directory.File("artifacts") });
        var input = new float[3 * 64];
        var ignored = new TrainingBatch().Add("input", input, 3, 64).Add("labels", new long[] { 1, -100, 2 }, 3);
        var wrong = new TrainingBatch().Add("input", input, 3, 64).Add("labels", new long[] { 1, -5, 2 }, 3);

        var loss = backend.ComputeGradients(ignored);
        var compute = () => backend.ComputeGradients(wrong);

        double.IsFinite(loss).Should().BeTrue();
        compute.Should().Throw<ArgumentException>().WithMessage("*class index -5*or an ignored label (-100)*");
    }

    [Fact]
    public void Evaluate_checks_the_batch_too()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd);
        var batch = new TrainingBatch().Add("input", new float[4 * 63], 4, 63).Add("labels", new long[4], 4);

        var evaluate = () => backend.Evaluate(batch);

        evaluate.Should().Throw<ArgumentException>().WithMessage("*eval_model.onnx expects [?, 64]*");
    }

    [Fact]
    public void Indivisible_micro_batches_are_rejected()
    {
        using var backend = BackendSetup.Digits(directory, "digits_mlp", BackendSetup.PlainSgd, o => o.GradientAccumulationSteps = 3);

        var compute = () => backend.ComputeGradients(DigitsData.Batch("digits_mlp", 0, 64));

        compute.Should().Throw<ArgumentException>().WithMessage("*cannot be split into 3 equal micro-batches*");
    }
}
