using System.Text;
using GradDiag.Writers.Framing;

namespace GradDiag.Writers.Tests.Framing;

public class Crc32CTests
{
    public static TheoryData<string, uint, uint> Vectors => new()
    {
        { string.Empty, 0x00000000u, 0xA282EAD8u },
        { "61", 0xC1D04330u, 0x28E46E78u },
        { Convert.ToHexString(Encoding.ASCII.GetBytes("123456789")), 0xE3069283u, 0xC78AB0E5u },
        { new string('0', 64), 0x8A9136AAu, 0x0FD7FFFAu },
        { new string('F', 64), 0x62A8AB43u, 0xF909B029u },
        { Convert.ToHexString(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()), 0x46DD794Eu, 0x951F7892u },
        { "0000000000000000", 0x8C28B28Au, 0x07980329u },
        { "1800000000000000", 0x4A65BFE4u, 0x224B7FA3u },
        { "1A11" + Convert.ToHexString(Encoding.ASCII.GetBytes("CRC test, one two")), 0xF2D95A88u, 0x5794D08Au },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Compute_GoldenVector_Matches(string hex, uint crc, uint masked)
    {
        byte[] data = Convert.FromHexString(hex);

        Crc32C.Compute(data).Should().Be(crc);
        Crc32C.ComputeSoftware(data).Should().Be(crc);
        Crc32C.ComputeMasked(data).Should().Be(masked);
        Crc32C.Unmask(masked).Should().Be(crc);
    }

    [Fact]
    public void Table_SpotValues_Match()
    {
        Crc32C.TableEntry(1).Should().Be(0xF26B8303u);
        Crc32C.TableEntry(128).Should().Be(0x82F63B78u);
        Crc32C.TableEntry(255).Should().Be(0xAD7D5351u);
    }

    [Fact]
    public void Compute_HardwareAndSoftware_AgreeOnAllLengths()
    {
        var random = new Random(7);
        for (int length = 0; length < 300; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);

            Crc32C.Compute(data).Should().Be(Crc32C.ComputeSoftware(data), "length {0}", length);
        }
    }

    [Fact]
    public void Frame_SpecRecord_IsByteExact()
    {
        byte[] payload = TestFiles.Hex("09 00 00 20 40 fc 54 d9 41 1a 0d 62 72 61 69 6e 2e 45 76 65 6e 74 3a 32");

        byte[] record = RecordFraming.Frame(payload);

        byte[] expected = [.. TestFiles.Hex("18 00 00 00 00 00 00 00 a3 7f 4b 22"), .. payload, .. TestFiles.Hex("2b 35 31 10")];
        record.Should().Equal(expected);
    }
}
