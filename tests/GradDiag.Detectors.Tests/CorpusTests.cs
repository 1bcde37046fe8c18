using System.Text;
using Xunit.Abstractions;

namespace GradDiag.Detectors.Tests;

public class CorpusTests(ITestOutputHelper output)
{
    private static readonly string[] Classes = ["healthy", "non-finite", "exploding", "vanishing", "dead-layer", "update-ratio"];

    [Theory]
    [MemberData(nameof(TraceCorpus.Names), MemberType = typeof(TraceCorpus))]
    public void Trace_DefaultDetectors_ReportExpectedKinds(string name)
    {
        Trace trace = TraceCorpus.Get(name);
        IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();

        TraceRunner.Run(trace, detectors);

        List<Finding> findings = TraceRunner.Findings(detectors);
        foreach (Finding finding in findings)
        {
            output.WriteLine($"{finding.Severity} {finding.Id} [{finding.FirstStep}..{finding.LastStep}] {finding.Message}");
        }

        var reported = findings.Where(f => f.Severity >= Severity.Warning).Select(f => f.Kind).Distinct().OrderBy(k => k.Value).ToList();
        reported.Should().BeEquivalentTo(trace.Expected, $"trace '{name}' must report exactly its labelled kinds");
        var information = findings.Where(f => f.Severity == Severity.Information).Select(f => f.Kind).Distinct().ToList();
        information.Should().BeEquivalentTo(trace.ExpectedInformation);
    }

    [Fact]
    public void Corpus_DefaultDetectors_ConfusionTableIsDiagonal()
    {
        var table = new int[Classes.Length, Classes.Length];
        int falsePositives = 0;
        foreach (Trace trace in TraceCorpus.All)
        {
            IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();
            TraceRunner.Run(trace, detectors);
            var kinds = TraceRunner.Findings(detectors).Where(f => f.Severity >= Severity.Warning).Select(f => f.Kind).ToList();
            int expected = Classify(trace.Expected);
            int predicted = Classify(kinds);
            table[expected, predicted]++;
            if (expected == 0 && predicted != 0)
            {
                falsePositives++;
            }
        }

        output.WriteLine(Format(table));
        for (int row = 0; row < Classes.Length; row++)
        {
            for (int column = 0; column < Classes.Length; column++)
            {
                if (row != column)
                {
                    table[row, column].Should().Be(0, $"no '{Classes[row]}' trace may be classified as '{Classes[column]}'");
                }
            }
        }

        falsePositives.Should().Be(0);
    }

    [Theory]
    [InlineData("pytorch_healthy")]
    [InlineData("keras_healthy")]
    public void HealthyFixture_TwoSpikes_AreObservations(string name)
    {
        IReadOnlyList<IGradientDetector> detectors = DefaultDetectors.Create();

        RecordingContext context = TraceRunner.Run(TraceCorpus.Get(name), detectors);

        var spikes = context.Observations.ToList();
        spikes.Select(s => s.FirstStep).Should().Equal(37, 120);
        spikes.Should().OnlyContain(s => s.Kind == FindingKind.Spike && s.Severity == Severity.Information);
        spikes.Should().OnlyContain(s => s.Evidence.Values["ratio"] > 10);
        TraceRunner.Findings(detectors).Should().BeEmpty();
    }

    /// <summary>Returns the primary class of a set of kinds: the most severe problem present.</summary>
    private static int Classify(IEnumerable<FindingKind> kinds)
    {
        var set = kinds.Select(k => k.Value).ToHashSet(StringComparer.Ordinal);
        for (int i = 1; i < Classes.Length; i++)
        {
            if (set.Contains(Classes[i]))
            {
                return i;
            }
        }

        return 0;
    }

    private static string Format(int[,] table)
    {
        var builder = new StringBuilder();
        builder.Append("expected \\ predicted".PadRight(22));
        foreach (string name in Classes)
        {
            builder.Append(name.PadLeft(14));
        }

        builder.AppendLine();
        for (int row = 0; row < Classes.Length; row++)
        {
            builder.Append(Classes[row].PadRight(22));
            for (int column = 0; column < Classes.Length; column++)
            {
                builder.Append(table[row, column].ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(14));
            }

            builder.AppendLine();
        }

        return builder.ToString();
    }
}
