-- A batch's sums per user into batch_sums (etl.processor.ApplyTotals): COPY's text rows "user<TAB>amount".
COPY batch_sums (u, a) FROM STDIN
