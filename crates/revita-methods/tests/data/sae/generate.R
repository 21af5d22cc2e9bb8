# Regenerates the small-area estimation reference outputs in this folder from
# the R package sae (Molina & Marhuenda 2015) and its public example data.
# Run from this folder: Rscript generate.R
# See README.md for the package version and the data sets' origins.

suppressPackageStartupMessages(library(sae))

# sae's default convergence tolerance (1e-4, relative) stops the Fisher
# scoring early; the references are computed to convergence instead.
precision <- 1e-12
maxiter <- 1000

num <- function(x) sprintf("%.17g", x)

# Writes a data frame with every number at full precision.
write_data <- function(df, file) {
  out <- as.data.frame(lapply(df, function(col) if (is.numeric(col)) num(col) else as.character(col)))
  write.csv(out, file, row.names = FALSE, quote = FALSE)
}

# Long form of results: method, quantity, index (1-based), value.
rows <- NULL
add <- function(method, quantity, values) {
  rows <<- rbind(rows, data.frame(method = method, quantity = quantity,
                                  index = seq_along(values), value = num(as.numeric(values))))
}
flush <- function(file) {
  write.csv(rows, file, row.names = FALSE, quote = FALSE)
  rows <<- NULL
}

# 1. Fay-Herriot on milk (Arora & Lahiri 1997; You & Chapman 2006).
data(milk)
write_data(milk, "milk.csv")
milk$var <- milk$SD^2
for (method in c("REML", "ML", "FH")) {
  r <- mseFH(yi ~ as.factor(MajorArea), var, method = method,
             MAXITER = maxiter, PRECISION = precision, data = milk)
  stopifnot(r$est$fit$convergence)
  add(method, "beta", r$est$fit$estcoef$beta)
  add(method, "beta_se", r$est$fit$estcoef$std.error)
  add(method, "refvar", r$est$fit$refvar)
  add(method, "eblup", r$est$eblup)
  add(method, "mse", r$mse)
}
flush("milk_fh.csv")

# 2. Spatial Fay-Herriot on grapes with the proximity matrix grapesprox
#    (synthetic data for 274 municipalities of Tuscany, shipped with sae).
#    sae's own example drops the intercept (grapehect ~ area + workdays - 1);
#    revita's models always have one, so the references keep it.
data(grapes)
data(grapesprox)
write_data(grapes, "grapes.csv")
w <- as.matrix(grapesprox)
nz <- which(w != 0, arr.ind = TRUE)
nz <- nz[order(nz[, 1], nz[, 2]), , drop = FALSE]
write_data(data.frame(row = nz[, 1], col = nz[, 2], weight = w[nz]), "grapesprox.csv")
for (method in c("REML", "ML")) {
  r <- mseSFH(grapehect ~ area + workdays, var, grapesprox, method = method,
              MAXITER = maxiter, PRECISION = precision, data = grapes)
  stopifnot(r$est$fit$convergence)
  add(method, "beta", r$est$fit$estcoef$beta)
  add(method, "beta_se", r$est$fit$estcoef$std.error)
  add(method, "refvar", r$est$fit$refvar)
  add(method, "spatialcorr", r$est$fit$spatialcorr)
  add(method, "eblup", r$est$eblup)
  add(method, "mse", r$mse)
}
flush("grapes_sfh.csv")

# 2b. The same on the first 80 municipalities, W restricted to them and its
#     rows standardised again (a row without neighbours left stays 0), so
#     that the default test run stays fast; the full data set is checked
#     when REVITA_SLOW_TESTS is set.
sub <- 1:80
w80 <- w[sub, sub]
s80 <- rowSums(w80)
w80[s80 > 0, ] <- w80[s80 > 0, ] / s80[s80 > 0]
grapes80 <- grapes[sub, ]
for (method in c("REML", "ML")) {
  r <- mseSFH(grapehect ~ area + workdays, var, w80, method = method,
              MAXITER = maxiter, PRECISION = precision, data = grapes80)
  stopifnot(r$est$fit$convergence)
  add(method, "beta", r$est$fit$estcoef$beta)
  add(method, "beta_se", r$est$fit$estcoef$std.error)
  add(method, "refvar", r$est$fit$refvar)
  add(method, "spatialcorr", r$est$fit$spatialcorr)
  add(method, "eblup", r$est$eblup)
  add(method, "mse", r$mse)
}
flush("grapes80_sfh.csv")

# 3. The nested-error (Battese-Harter-Fuller) model on cornsoybean
#    (Battese, Harter & Fuller 1988), REML through lme4.
data(cornsoybean)
data(cornsoybeanmeans)
write_data(cornsoybean, "cornsoybean.csv")
means <- data.frame(CountyIndex = cornsoybeanmeans$CountyIndex,
                    MeanCornPixPerSeg = cornsoybeanmeans$MeanCornPixPerSeg,
                    MeanSoyBeansPixPerSeg = cornsoybeanmeans$MeanSoyBeansPixPerSeg)
popnsize <- data.frame(CountyIndex = cornsoybeanmeans$CountyIndex,
                       PopnSegments = cornsoybeanmeans$PopnSegments)
r <- eblupBHF(CornHec ~ CornPix + SoyBeansPix, dom = County, meanxpop = means,
              popnsize = popnsize, method = "REML", data = cornsoybean)
add("REML", "beta", r$fit$fixed)
add("REML", "refvar", r$fit$refvar)
add("REML", "errorvar", r$fit$errorvar)
add("REML", "eblup", r$eblup$eblup)
flush("cornsoybean_bhf.csv")

writeLines(c(paste("sae", packageVersion("sae")), paste("lme4", packageVersion("lme4")),
             R.version.string, format(Sys.Date())), "versions.txt")
