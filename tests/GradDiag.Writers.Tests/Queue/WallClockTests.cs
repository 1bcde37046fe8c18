using GradDiag.Writers.Queue;

namespace GradDiag.Writers.Tests.Queue;

public class WallClockTests
{
    [Fact]
    public void OtherProvider_IsReadEveryCall()
    {
        var provider = new SteppingTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var clock = new WallClock(provider);

        double first = clock.Now();
        double second = clock.Now();

        first.Should().Be(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeSeconds());
        (second - first).Should().BeApproximately(0.5, 1e-6);
    }

    [Fact]
    public void SystemProvider_StaysCloseToUtcNow()
    {
        var clock = new WallClock(TimeProvider.System);
        double previous = 0;
        for (int i = 0; i < 100_000; i++)
        {
            double before = Seconds(DateTime.UtcNow);
            double now = clock.Now();
            double after = Seconds(DateTime.UtcNow);

            // One coarse tick is at most a few milliseconds, and 50 ms leaves room for a descheduled thread.
            now.Should().BeGreaterThan(before - 0.05);
            now.Should().BeLessThanOrEqualTo(after);
            now.Should().BeGreaterThanOrEqualTo(previous);
            previous = now;
        }
    }

    private static double Seconds(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond;

    /// <summary>A time provider that moves half a second forward on every read.</summary>
    private sealed class SteppingTimeProvider(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow()
        {
            DateTimeOffset now = _now;
            _now = _now.AddSeconds(0.5);
            return now;
        }
    }
}
