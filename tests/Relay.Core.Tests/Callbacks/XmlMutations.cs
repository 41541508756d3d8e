using System.Text;

namespace Relay.Callbacks;

/// <summary>Documents broken a byte at a time from a well-formed seed, for the parser's differential tests.</summary>
internal static class XmlMutations
{
    /// <summary>
    /// <paramref name="count"/> mutants of <paramref name="seed"/>, the same for the same <paramref name="randomSeed"/>:
    /// each has <paramref name="minEdits"/> up to (not including) <paramref name="maxEdits"/> edits, a byte removed,
    /// one of <paramref name="inserts"/> inserted, or a byte doubled.
    /// </summary>
    public static IEnumerable<string> Of(string seed, int randomSeed, byte[] inserts, int minEdits, int maxEdits, int count)
    {
        var random = new Random(randomSeed);
        for (int round = 0; round < count; round++)
        {
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(seed));
            for (int edits = random.Next(minEdits, maxEdits); edits > 0; edits--)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0:
                        bytes.RemoveAt(at);
                        break;
                    case 1:
                        bytes.Insert(at, inserts[random.Next(inserts.Length)]);
                        break;
                    default:
                        bytes.Insert(at, bytes[at]);
                        break;
                }
            }

            yield return Encoding.UTF8.GetString([.. bytes]);
        }
    }
}
