using Microsoft.Extensions.Options;

namespace GradDiag.Detectors.Tests;

public class DetectorOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid()
    {
        new DetectorOptions().Validate().Should().BeEmpty();
    }

    [Fact]
    public void Validate_BadValues_NameEachOption()
    {
        var options = new DetectorOptions();
        options.Exploding.Window = 1;
        options.Exploding.GrowthFactor = 0.5;
        options.Vanishing.PersistenceFraction = 0;
        options.Vanishing.ReleaseFraction = 0.9;
        options.NonFinite.RecoverySteps = 0;
        options.UpdateRatio.HighRatio = 1e-9;

        IReadOnlyList<string> errors = options.Validate();

        errors.Should().Contain("DetectorOptions.Exploding.Window must be between 3 and 100000 steps, but was 1.");
        errors.Should().Contain(e => e.StartsWith("DetectorOptions.Exploding.GrowthFactor must be between", StringComparison.Ordinal) && e.EndsWith("but was 0.5.", StringComparison.Ordinal));
        errors.Should().Contain("DetectorOptions.Vanishing.PersistenceFraction must be greater than 0 and at most 1, but was 0.");
        errors.Should().Contain(e => e.StartsWith("DetectorOptions.Vanishing.ReleaseFraction", StringComparison.Ordinal));
        errors.Should().Contain("DetectorOptions.NonFinite.RecoverySteps must be between 1 and 100000, but was 0.");
        errors.Should().Contain(e => e.StartsWith("DetectorOptions.UpdateRatio.HighRatio must be greater than LowRatio", StringComparison.Ordinal));
        errors.Should().HaveCount(6);
    }

    [Fact]
    public void Validate_DuplicateNames_AreRejected()
    {
        var options = new DetectorOptions();
        options.Vanishing.Name = "exploding";

        options.Validate().Should().ContainSingle().Which.Should().Contain("'exploding' is already used by DetectorOptions.Exploding");
    }

    [Fact]
    public void Create_InvalidOptions_ThrowsWithEveryFailure()
    {
        var options = new DetectorOptions();
        options.DeadLayer.ZeroFractionThreshold = 2;
        options.Exploding.BaselineSteps = 0;

        Action act = () => DefaultDetectors.Create(options);

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(2);
    }

    [Fact]
    public void Create_Defaults_ReturnsSixNamedDetectors()
    {
        DefaultDetectors.Create().Select(d => d.Name).Should().Equal("non-finite", "exploding", "vanishing", "dead-layer", "frozen", "update-ratio");
    }
}
