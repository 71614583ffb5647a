using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

public sealed partial class TokenizeToIdsTransformer
{
    /// <summary>Maps one text column; each getter (one per cursor) owns its buffers, so rows allocate nothing once warm.</summary>
    private sealed partial class Mapper : RowMapper // ONNX export: Onnx/TokenizeToIdsTransformer.Onnx.cs
    {
        private readonly TokenizeToIdsTransformer _parent;
        private readonly int _input;

        public Mapper(TokenizeToIdsTransformer parent, DataViewSchema inputSchema, int input)
            : base(parent, parent.SaveModel, inputSchema)
        {
            _parent = parent;
            _input = input;
        }

        protected override IReadOnlyCollection<int> InputColumns => [_input];

        protected override DataViewSchema.DetachedColumn[] CreateOutputColumns()
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

        protected override Delegate MakeGetter(DataViewRow input, int output)
        {
            var source = input.GetGetter<ReadOnlyMemory<char>>(input.Schema[_input]);
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
