using GradDiag.Writers.TensorBoard;

namespace GradDiag.Writers.Tests.TensorBoard;

public class TagSanitizerTests
{
    [Theory]
    [InlineData("grad_norm/fc1.weight", "grad_norm/fc1.weight")]
    [InlineData("grad_norm/dense/kernel:0", "grad_norm/dense/kernel:0")]
    [InlineData("a b", "a_b")]
    [InlineData("/a//b/", "a/b")]
    [InlineData("", "_")]
    [InlineData("///", "_")]
    [InlineData("tab\there", "tab_here")]
    [InlineData("größe/ß", "größe/ß")]
    public void Sanitize_Tag_GivesSafeTag(string tag, string expected)
    {
        TagSanitizer.Sanitize(tag).Should().Be(expected);
    }

    [Fact]
    public void Sanitize_ValidTag_ReturnsSameInstance()
    {
        string tag = "grad_norm/fc1.weight";

        TagSanitizer.Sanitize(tag).Should().BeSameAs(tag);
    }
}
