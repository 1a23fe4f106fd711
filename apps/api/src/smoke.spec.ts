import { hello } from '@app/database';
import { Test } from '@nestjs/testing';
import { Controller, Get, Module } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

@Controller('x') class C { @Get() get() { return { ok: hello('a') }; } }
@Module({ controllers: [C] }) class M {}

test('smoke', async () => {
  const mod = await Test.createTestingModule({ imports: [M] }).compile();
  const app = mod.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init(); await app.getHttpAdapter().getInstance().ready();
  const r = await request(app.getHttpServer()).get('/x');
  expect(r.body).toEqual({ ok: 'hi a' });
  await app.close();
});
