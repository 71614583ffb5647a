using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

public sealed partial class TokenizeToIdsTransformer
{
    /// <summary>Maps one text column; each getter (one per cursor) owns its buffers, so rows allocate nothing once warm.</summary>
    private sealed partial class Mapper : OneToOneMapperBase // ONNX export: Onnx/TokenizeToIdsTransformer.Onnx.cs
    {
        private readonly TokenizeToIdsTransformer _parent;

        public Mapper(TokenizeToIdsTransformer parent, DataViewSchema inputSchema)
            : base(parent.Host.Register(nameof(Mapper)), parent, inputSchema)
        {
            _parent = parent;
        }

        public override DataViewSchema.DetachedColumn[] GetOutputColumnsCore()
        {
            TokenVocabulary vocabulary = _parent.Vocabulary;
            var annotations = new DataViewSchema.Annotations.Builder();
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> vocabularyGetter = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
            {
                string[] tokens = vocabulary.Tokens;
                var editor = VBufferEditor.Create(ref dst, tokens.Length);
                for (int i = 0; i < tokens.Length; i++)
                    editor.Values[i] = tokens[i].AsMemory();
                dst = editor.Commit();
            };
            annotations.Add(TokenAnnotations.Vocabulary, new VectorDataViewType(TextDataViewType.Instance, vocabulary.Count), vocabularyGetter);
            byte[] codec = _parent.CodecBytes;
            ValueGetter<VBuffer<byte>> codecGetter = (ref VBuffer<byte> dst) =>
            {
                var editor = VBufferEditor.Create(ref dst, codec.Length);
                codec.CopyTo(editor.Values);
                dst = editor.Commit();
            };
            annotations.Add(TokenAnnotations.TokenizerModel, new VectorDataViewType(NumberDataViewType.Byte, codec.Length), codecGetter);
            return
            [
                new DataViewSchema.DetachedColumn(_parent.OutputColumnName, new VectorDataViewType(NumberDataViewType.Int32), annotations.ToAnnotations()),
            ];
        }

        public override Delegate MakeGetter(DataViewRow input, int iinfo, Func<int, bool> activeOutput, out Action? disposer)
        {
            disposer = null;
            var source = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[ColMapNewToOld[iinfo]]);
            TokenCodec codec = _parent.Codec;
            int maximumLength = _parent.MaximumLength ?? 0;
            TruncationSide truncation = _parent.Truncation;
            var buffer = new TokenIdBuffer();
            ReadOnlyMemory<char> text = default;
            ValueGetter<VBuffer<int>> getter = (ref VBuffer<int> dst) =>
            {
                source(ref text);
                codec.EncodeRow(text.Span, buffer, maximumLength, truncation);
                var editor = VBufferEditor.Create(ref dst, buffer.Count);
                buffer.Ids.CopyTo(editor.Values);
                dst = editor.Commit();
            };
            return getter;
        }
    }
}
