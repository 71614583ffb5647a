namespace MLNet.Recurrent;

/// <summary>How <see cref="LanguageModelEstimator"/> turns the rows of the training data into training windows.</summary>
public enum LanguageModelCorpus
{
    /// <summary>
    /// Every row is an independent sequence (a sentence, review, name, ...): training starts each row from the
    /// initial (zero) state, the way <see cref="LanguageModelTransformer"/> scores rows. A row longer than
    /// <see cref="LanguageModelOptions.SequenceLength"/> + 1 tokens is cut into windows of that many tokens (consecutive
    /// windows share one token, so every token but the row's first is predicted once); each window also starts from the
    /// initial state. Rows are shuffled every epoch and batched with rows of similar length.
    /// </summary>
    IndependentRows,

    /// <summary>
    /// The rows, in order, are one continuous text (lines or paragraphs of a book): their tokens are concatenated
    /// (add separators such as a newline or <c>&lt;eos&gt;</c> to the rows if boundaries matter), split into
    /// <see cref="RecurrentTrainingOptions.BatchSize"/> parallel streams, and read in consecutive windows of
    /// <see cref="LanguageModelOptions.SequenceLength"/> tokens; the hidden state is carried from one window to the next
    /// (truncated backpropagation through time), so the model learns context longer than a window. Every epoch starts
    /// the windows at a different seeded offset.
    /// </summary>
    Continuous,
}
