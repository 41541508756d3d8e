using System.Text;
using Relay.Core.Callbacks;

namespace Relay.Callbacks;

public sealed class XmlNameTableTests
{
    [Fact]
    public void Intern_TheSameNameTwice_GivesOneNumber_AndItsBytesBack()
    {
        var table = new XmlNameTable();

        int first = table.Intern("StatusCode"u8);
        int other = table.Intern("StatusMessage"u8);
        int again = table.Intern("StatusCode"u8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal("StatusCode"u8.ToArray(), table[first].ToArray());
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void Intern_NamesOneByteApart_AtEveryPlaceOfEveryLength_GetNumbersOfTheirOwn()
    {
        // A name of up to sixteen bytes is compared by two overlapping words: every byte of it must be in them.
        for (int length = 0; length <= 40; length++)
        {
            var table = new XmlNameTable();
            byte[] name = Encoding.ASCII.GetBytes(new string('a', length));
            int plain = table.Intern(name);
            var numbers = new HashSet<int> { plain };
            for (int place = 0; place < length; place++)
            {
                byte[] changed = (byte[])name.Clone();
                changed[place] = (byte)'b';

                int number = table.Intern(changed);

                Assert.True(numbers.Add(number), $"length {length}: a name changed at {place} took another name's number");
                Assert.Equal(number, table.Intern(changed));
                Assert.Equal(changed, table[number].ToArray());
            }

            Assert.Equal(plain, table.Intern(name));
        }
    }

    [Fact]
    public void Intern_ThousandsOfNames_KeepsEachNumberAcrossGrowth_AndClearForgetsThem()
    {
        var table = new XmlNameTable();
        var numbers = Enumerable.Range(0, 5000).Select(i => table.Intern(Encoding.ASCII.GetBytes($"Name{i}"))).ToArray();

        Assert.Equal(Enumerable.Range(0, 5000), numbers);
        for (int i = 0; i < 5000; i += 7)
        {
            Assert.Equal(i, table.Intern(Encoding.ASCII.GetBytes($"Name{i}")));
        }

        table.Clear();

        Assert.Equal(0, table.Count);
        Assert.Equal(0, table.Intern("Name4999"u8));
    }
}
