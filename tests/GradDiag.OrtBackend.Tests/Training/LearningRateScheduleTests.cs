using GradDiag.OrtBackend.Schedules;

namespace GradDiag.OrtBackend.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void Constant_keeps_rate()
    {
        var schedule = LearningRateSchedules.Constant(0.05);

        schedule.GetLearningRate(0).Should().Be(0.05);
        schedule.GetLearningRate(1000).Should().Be(0.05);
    }

    [Fact]
    public void Step_decay_multiplies_per_period()
    {
        var schedule = LearningRateSchedules.StepDecay(0.1, stepSize: 3, gamma: 0.5);

        schedule.GetLearningRate(2).Should().Be(0.1);
        schedule.GetLearningRate(3).Should().Be(0.05);
        schedule.GetLearningRate(7).Should().Be(0.025);
    }

    [Fact]
    public void Cosine_ends_at_minimum()
    {
        var schedule = LearningRateSchedules.Cosine(0.1, totalSteps: 10, minimum: 0.01);

        schedule.GetLearningRate(0).Should().Be(0.1);
        schedule.GetLearningRate(5).Should().BeApproximately(0.055, 1e-15);
        schedule.GetLearningRate(10).Should().Be(0.01);
        schedule.GetLearningRate(50).Should().Be(0.01);
    }

    [Fact]
    public void Warmup_ramps_then_delegates()
    {
        var schedule = LearningRateSchedules.Warmup(4, LearningRateSchedules.StepDecay(0.2, 2, 0.1));

        schedule.GetLearningRate(0).Should().BeApproximately(0.05, 1e-15);
        schedule.GetLearningRate(3).Should().BeApproximately(0.2, 1e-15);
        schedule.GetLearningRate(4).Should().BeApproximately(0.2, 1e-15);
        schedule.GetLearningRate(6).Should().BeApproximately(0.02, 1e-15);
    }

    [Fact]
    public void Invalid_arguments_throw()
    {
        var negative = () => LearningRateSchedules.Constant(-1);
        var zeroPeriod = () => LearningRateSchedules.StepDecay(0.1, 0, 0.5);
        var nanMinimum = () => LearningRateSchedules.Cosine(0.1, 10, double.NaN);
        var noWarmup = () => LearningRateSchedules.Warmup(0, LearningRateSchedules.Constant(0.1));

        negative.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("learningRate");
        zeroPeriod.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("stepSize");
        nanMinimum.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("minimum");
        noWarmup.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("warmupSteps");
    }
}
