using Microsoft.Extensions.Logging;

namespace GradDiag.Core.Tests.TestDoubles;

/// <summary>A logger provider that keeps every entry, to assert what was logged.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    public List<(LogLevel Level, EventId EventId, string Message, Exception? Exception)> Entries { get; } = [];

    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Entries.Add((logLevel, eventId, formatter(state, exception), exception));
    }
}
