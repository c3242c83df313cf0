-- A batch's sums per user into batch_sums (etl.processor.ApplyTotals): COPY's text rows "user<TAB>amount<TAB>place".
COPY batch_sums (u, a, i) FROM STDIN
