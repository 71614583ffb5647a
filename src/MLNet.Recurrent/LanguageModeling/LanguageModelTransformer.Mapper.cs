using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Recurrent;

public sealed partial class LanguageModelTransformer
{
    /// <summary>Adds the three score columns; one forward pass per row, shared by the three getters.</summary>
    private sealed partial class Mapper : RowMapper // ONNX export: Onnx/LanguageModelTransformer.Onnx.cs
    {
        private readonly LanguageModelTransformer parent;
        private readonly TokenIdColumn input;

        public Mapper(LanguageModelTransformer parent, DataViewSchema inputSchema)
            : base(parent, parent.SaveModel, inputSchema)
        {
            this.parent = parent;
            input = TokenIdColumn.Find(inputSchema, parent.InputColumnName, role: "input");
        }

        protected override IReadOnlyCollection<int> InputColumns => [input.Column.Index];

        protected override DataViewSchema.DetachedColumn[] CreateOutputColumns() =>
            parent.columns.Outputs.Select(o => new DataViewSchema.DetachedColumn(o.Name, o.Type)).ToArray();

        protected override Delegate MakeGetter(DataViewRow row, int output) => CreateGetters(row, i => i == output, out _)[output];

        public override Delegate[] CreateGetters(DataViewRow row, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var getters = new Delegate[3];
            if (!Enumerable.Range(0, 3).Any(activeOutput))
                return getters;

            TokenIdReader reader = input.CreateReader(row);
            int vocabularySize = parent.VocabularySize;
            long cachedPosition = -1;
            (double LogLikelihood, int Tokens) score = default;
            void Ensure()
            {
                if (row.Position == cachedPosition)
                    return;
                score = parent.ScoreRow(reader.Read(vocabularySize, 0));
                cachedPosition = row.Position;
            }

            if (activeOutput(0))
                getters[0] = (ValueGetter<float>)((ref float value) => { Ensure(); value = (float)score.LogLikelihood; });
            if (activeOutput(1))
                getters[1] = (ValueGetter<int>)((ref int value) => { Ensure(); value = score.Tokens; });
            if (activeOutput(2))
                getters[2] = (ValueGetter<float>)((ref float value) => { Ensure(); value = score.Tokens > 0 ? (float)Math.Exp(-score.LogLikelihood / score.Tokens) : float.NaN; });
            return getters;
        }
    }
}
