using System.Text;

namespace MLNet.Recurrent;

/// <summary>
/// Pretrained mode: the <c>Microsoft.ML.Tokenizers</c> tokenizer's ids shifted by the number of reserved ids
/// (pretrained id <c>k</c> becomes <c>k + SpecialTokenCount</c>), so <c>0 = &lt;pad&gt;</c> and <c>1 = &lt;unk&gt;</c> stay reserved.
/// </summary>
internal sealed class PretrainedTokenCodec : TokenCodec
{
    private readonly TokenVocabulary _vocabulary;
    private readonly int _offset;

    public PretrainedTokenCodec(PretrainedTokenizer pretrained, bool beginningOfSequence, bool endOfSequence)
        : base(TokenizerMode.Pretrained, beginningOfSequence, endOfSequence)
    {
        Pretrained = pretrained;
        _vocabulary = new TokenVocabulary(pretrained.Tokens, beginningOfSequence, endOfSequence, allowDuplicates: true);
        _offset = _vocabulary.SpecialTokenCount;
    }

    public PretrainedTokenizer Pretrained { get; }

    public override TokenVocabulary Vocabulary => _vocabulary;

    internal override void EncodeContent(ReadOnlySpan<char> text, TokenIdBuffer buffer, int stopAt)
    {
        IReadOnlyList<int> ids = stopAt == int.MaxValue
            ? Pretrained.Tokenizer.EncodeToIds(text)
            : Pretrained.Tokenizer.EncodeToIds(text, stopAt - buffer.Count, out _, out _);
        int size = Pretrained.VocabularySize;
        for (int i = 0; i < ids.Count && buffer.Count < stopAt; i++)
        {
            int id = ids[i];
            buffer.Add((uint)id < (uint)size ? id + _offset : TokenVocabulary.UnknownId);
        }
    }

    private protected override void DecodeCore(ReadOnlySpan<int> ids, StringBuilder text)
    {
        var run = new List<int>();
        foreach (int id in ids)
        {
            if (id >= _offset)
            {
                run.Add(id - _offset);
                continue;
            }
            Flush();
            if (id == TokenVocabulary.UnknownId)
                text.Append(TokenVocabulary.UnknownToken);
        }
        Flush();

        void Flush()
        {
            if (run.Count == 0)
                return;
            text.Append(Pretrained.Tokenizer.Decode(run));
            run.Clear();
        }
    }

    private protected override void WriteBody(BinaryWriter writer) => Pretrained.Write(writer);
}
