namespace MLNet.Recurrent;

/// <summary>
/// What the language model needs from a tokenizer to generate text: prompt text → ids and ids → text, in the id space
/// of the token-id column (0 = <c>&lt;pad&gt;</c>, 1 = <c>&lt;unk&gt;</c>). Obtained from the column's annotations by
/// <see cref="TokenCodecAdapter"/>.
/// </summary>
internal interface ITokenCodec
{
    /// <summary>Number of ids, reserved ones included.</summary>
    int VocabularySize { get; }

    /// <summary>Id of <c>&lt;bos&gt;</c> when the tokenizer starts rows with it, else null.</summary>
    int? BeginningOfSequenceId { get; }

    /// <summary>Id of <c>&lt;eos&gt;</c> when the tokenizer ends rows with it, else null.</summary>
    int? EndOfSequenceId { get; }

    /// <summary>The ids of <paramref name="text"/> without <c>&lt;bos&gt;</c>/<c>&lt;eos&gt;</c>; unknown tokens become 1 (<c>&lt;unk&gt;</c>).</summary>
    int[] Encode(string text);

    /// <summary>The text of <paramref name="ids"/>; <c>&lt;pad&gt;</c>, <c>&lt;bos&gt;</c> and <c>&lt;eos&gt;</c> are skipped.</summary>
    string Decode(ReadOnlySpan<int> ids);
}
