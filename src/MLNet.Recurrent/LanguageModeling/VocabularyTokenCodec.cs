using System.Text;

namespace MLNet.Recurrent;

/// <summary>
/// A codec rebuilt from a <c>"Vocabulary"</c> annotation alone (id → token text), used when the column carries no
/// <c>"TokenizerModel"</c>. When every real token is one character (a surrogate pair counts as one), text is encoded
/// character by character and decoded by concatenation; otherwise tokens are words: encoding splits on white space
/// (exact match, then lower-case match, else <c>&lt;unk&gt;</c>) and decoding joins with single spaces.
/// Ids 0 and 1 are <c>&lt;pad&gt;</c> and <c>&lt;unk&gt;</c>; <c>"&lt;bos&gt;"</c>/<c>"&lt;eos&gt;"</c> at ids 2 or 3 are markers.
/// </summary>
internal sealed class VocabularyTokenCodec : ITokenCodec
{
    private readonly string[] tokens;
    private readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
    private readonly int specialCount;

    public VocabularyTokenCodec(IReadOnlyList<string> vocabulary)
    {
        tokens = vocabulary.ToArray();
        int special = Math.Min(2, tokens.Length);
        for (int id = 2; id < Math.Min(4, tokens.Length); id++)
        {
            if (tokens[id] == "<bos>" && BeginningOfSequenceId is null && EndOfSequenceId is null)
                BeginningOfSequenceId = id;
            else if (tokens[id] == "<eos>" && EndOfSequenceId is null)
                EndOfSequenceId = id;
            else
                break;
            special = id + 1;
        }
        specialCount = special;
        bool characters = true;
        for (int id = specialCount; id < tokens.Length; id++)
        {
            string t = tokens[id];
            ids.TryAdd(t, id);
            characters &= t.Length == 1 || t.Length == 2 && char.IsSurrogatePair(t[0], t[1]);
        }
        IsCharacterLevel = characters && tokens.Length > specialCount;
    }

    public int VocabularySize => tokens.Length;

    public int? BeginningOfSequenceId { get; }

    public int? EndOfSequenceId { get; }

    /// <summary>Whether the vocabulary is character-level (see the class remarks).</summary>
    public bool IsCharacterLevel { get; }

    public int[] Encode(string text)
    {
        var result = new List<int>(text.Length);
        if (IsCharacterLevel)
        {
            for (int i = 0; i < text.Length; i++)
            {
                int width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
                result.Add(ids.TryGetValue(text.Substring(i, width), out int id) ? id : 1);
                i += width - 1;
            }
        }
        else
        {
            foreach (string word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                result.Add(ids.TryGetValue(word, out int id) || ids.TryGetValue(word.ToLowerInvariant(), out id) ? id : 1);
        }
        return result.ToArray();
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)tokens.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (valid ids: 0..{tokens.Length - 1}).");
            if (id == 0 || id == BeginningOfSequenceId || id == EndOfSequenceId)
                continue;
            if (!IsCharacterLevel && text.Length > 0)
                text.Append(' ');
            text.Append(tokens[id]);
        }
        return text.ToString();
    }
}
