using GradDiag.Writers.JsonLines;
using GradDiag.Writers.TensorBoard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GradDiag.Writers.Tests.DependencyInjection;

public sealed class SummaryWriterBuilderExtensionsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task AddTensorBoard_CalledTwice_RegistersOneWriter()
    {
        var builder = new TestBuilder();

        builder.AddTensorBoard(options => options.LogDirectory = _folder.Path).AddTensorBoard(options => options.RunName = "di");
        await using ServiceProvider provider = builder.Services.BuildServiceProvider();

        ISummaryWriter writer = provider.GetServices<ISummaryWriter>().Single();
        writer.Should().BeOfType<TensorBoardSummaryWriter>().Which.RunDirectory.Should().Be(Path.Combine(_folder.Path, "di"));
    }

    [Fact]
    public async Task AddTensorBoard_MissingLogDirectory_FailsValidation()
    {
        var builder = new TestBuilder();
        builder.AddTensorBoard();
        await using ServiceProvider provider = builder.Services.BuildServiceProvider();

        Func<List<ISummaryWriter>> resolve = () => provider.GetServices<ISummaryWriter>().ToList();

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*LogDirectory is required*");
    }

    [Fact]
    public async Task AddBothWriters_RegistersTwo()
    {
        var builder = new TestBuilder();

        builder.AddTensorBoard(options => options.LogDirectory = _folder.Path).AddJsonLines(options => options.FilePath = Path.Combine(_folder.Path, "run.jsonl"));
        await using ServiceProvider provider = builder.Services.BuildServiceProvider();

        provider.GetServices<ISummaryWriter>().Select(w => w.GetType()).Should().BeEquivalentTo([typeof(TensorBoardSummaryWriter), typeof(JsonLinesSummaryWriter)]);
    }

    [Fact]
    public void AddTensorBoard_NullBuilder_Throws()
    {
        Action add = () => SummaryWriterBuilderExtensions.AddTensorBoard(null!);

        add.Should().Throw<ArgumentNullException>().WithParameterName("builder");
    }

    private sealed class TestBuilder : IGradDiagBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }
}
