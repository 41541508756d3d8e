namespace Relay.Replay;

/// <summary>
/// A topic-exchange binding pattern (<c>callback.*</c>, <c>callback.#</c>), matched as the broker matches
/// it: words split on '.', <c>*</c> is exactly one word, <c>#</c> zero or more.
/// </summary>
internal sealed class TopicPattern
{
    private readonly string[] _words;

    private TopicPattern(string pattern)
    {
        Text = pattern;
        // "#.#" means what "#" means; collapsing the runs keeps matching from trying the same splits twice.
        var words = new List<string>();
        foreach (string word in pattern.Split('.'))
        {
            if (word != "#" || words.Count == 0 || words[^1] != "#")
            {
                words.Add(word);
            }
        }

        _words = [.. words];
    }

    public string Text { get; }

    public static bool TryParse(string pattern, out TopicPattern? parsed, out string? problem)
    {
        parsed = null;
        problem = null;
        if (string.IsNullOrEmpty(pattern))
        {
            problem = "is empty";
            return false;
        }

        if (System.Text.Encoding.UTF8.GetByteCount(pattern) > 255)
        {
            problem = "is longer than AMQP's 255 bytes";
            return false;
        }

        foreach (string word in pattern.Split('.'))
        {
            if (word.Length > 1 && (word.Contains('*', StringComparison.Ordinal) || word.Contains('#', StringComparison.Ordinal)))
            {
                problem = $"has '{word}': '*' and '#' stand for whole words only";
                return false;
            }
        }

        parsed = new TopicPattern(pattern);
        return true;
    }

    public bool Matches(string routingKey) => Matches(_words, 0, routingKey.Split('.'), 0);

    private static bool Matches(string[] pattern, int p, string[] key, int k)
    {
        while (p < pattern.Length)
        {
            string word = pattern[p];
            if (word == "#")
            {
                // '#' takes zero or more words: try every split of what is left.
                for (int rest = k; rest <= key.Length; rest++)
                {
                    if (Matches(pattern, p + 1, key, rest))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (k == key.Length || (word != "*" && !string.Equals(word, key[k], StringComparison.Ordinal)))
            {
                return false;
            }

            p++;
            k++;
        }

        return k == key.Length;
    }
}
