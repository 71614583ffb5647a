using System.Text;

namespace MLNet.Recurrent.Onnx.Tests;

/// <summary>The assumptions the exported tokenizer graph rests on.</summary>
[TestClass]
public sealed class CharacterTablesTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>Every Unicode scalar value the tables cover, as text.</summary>
    private static IEnumerable<string> Scalars()
    {
        for (int value = 0; value <= 0x10FFFF; value++)
        {
            if (value is >= 0xD800 and <= 0xDFFF)
                continue;
            var rune = new Rune(value);
            if (value > 0xFFFF && Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.OtherNotAssigned or System.Globalization.UnicodeCategory.PrivateUse)
                continue;
            yield return rune.ToString();
        }
    }

    [TestMethod]
    public void LowerCasingTextIsLowerCasingEachCharacter()
    {
        // The graph lower-cases character by character (a LabelEncoder); the transformer lower-cases whole rows.
        char[] scratch = new char[16];
        var differing = new List<string>();
        foreach (string[] chunk in Scalars().Chunk(97))
        {
            string text = string.Concat(chunk);
            string whole = WordScanner.ToLower(text, ref scratch).ToString();
            string each = string.Concat(chunk.Select(c => CharacterTables.For(lowercase: true).Standardize(c)));
            if (whole != each)
                differing.Add(text);
        }
        Assert.IsEmpty(differing, $"{differing.Count} chunks lower-case differently as a whole");
    }

    [TestMethod]
    public void EveryCharacterKeepsItsKindInsideAWord()
    {
        // The graph decides a character's kind from the character alone; the scanner must agree inside text too:
        // between letters, a word character extends the word, a separator or symbol splits it.
        CharacterTable table = CharacterTables.For(lowercase: false);
        var wrong = new List<string>();
        foreach (string c in Scalars())
        {
            long kind = table.Kinds.TryGetValue(c, out long k) ? k : CharacterTables.Word;
            string text = "ab" + c + "cd";
            var spans = new TokenSpans();
            WordScanner.Scan(text, keepPunctuation: true, spans); // the transformer's own (vectorized) path
            var tokens = Enumerable.Range(0, spans.Count).Select(i => text.Substring(spans.Starts[i], spans.Lengths[i])).ToList();
            string[] expected = kind switch
            {
                CharacterTables.Word or CharacterTables.Apostrophe => new[] { text },
                CharacterTables.Separator => new[] { "ab", "cd" },
                _ => new[] { "ab", c, "cd" },
            };
            if (!tokens.SequenceEqual(expected))
                wrong.Add($"U+{char.ConvertToUtf32(c, 0):X4}");
        }
        TestContext.WriteLine($"character kinds listed (non-word): {table.Kinds.Count:N0}; lower-cased characters: {CharacterTables.For(true).Lower.Count:N0}");
        Assert.IsEmpty(wrong, string.Join(", ", wrong.Take(20)));
    }
}
