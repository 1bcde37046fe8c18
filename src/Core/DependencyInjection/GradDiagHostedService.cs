using Microsoft.Extensions.Hosting;

namespace GradDiag;

/// <summary>Stops the monitor when the host stops: ends the run, flushes and disposes writers and the backend.</summary>
internal sealed class GradDiagHostedService(GradientMonitor monitor) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => monitor.DisposeAsync().AsTask();
}
